package dev.besworker.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import picocli.CommandLine.Command;

/**
 * {@code hash-password}: prints the bcrypt hash of a password for
 * {@code besworker.console.users.<name>.password}. The password is read from the terminal
 * without echo (or from stdin when it is not a terminal), never from the command line, where
 * other users and the shell's history would see it. Starts no Spring context.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = { "Reads a password (from the terminal without echo, or from stdin) and prints its bcrypt hash",
                "in the form besworker.console.users.<name>.password takes: {bcrypt}$2a$10$..." })
class HashPasswordCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        char[] password = read();
        if (password == null || password.length == 0) {
            System.err.println("error: no password given");
            return ExitCodes.CONFIGURATION;
        }
        try {
            System.out.println("{bcrypt}" + new BCryptPasswordEncoder().encode(new String(password)));
            return ExitCodes.COMPLETED;
        }
        finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] read() throws IOException {
        Console console = System.console();
        if (console != null && isTerminal(console)) {
            char[] first = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (first == null || again == null || !Arrays.equals(first, again)) {
                System.err.println("error: the two passwords differ");
                return null;
            }
            Arrays.fill(again, '\0');
            return first;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        return line == null ? null : line.toCharArray();
    }

    /** Java 22+ returns a Console even without a terminal; it says so through isTerminal. */
    private static boolean isTerminal(Console console) {
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        }
        catch (ReflectiveOperationException ex) {
            return true;
        }
    }
}
