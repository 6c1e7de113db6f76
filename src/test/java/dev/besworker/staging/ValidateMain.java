package dev.besworker.staging;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs one validation in a separate JVM, for the test that needs a user without root's right to
 * read everything. Prints {@code OK <rows>} or {@code REJECTED <message>}.
 */
public final class ValidateMain {

    private ValidateMain() {
    }

    public static void main(String[] args) {
        try {
            CsvCheck check = new CsvValidator().validate(Path.of(args[0]), InputRules.csv(List.of()), TransferListener.NONE);
            System.out.println("OK " + check.dataRows());
        }
        catch (InputRejectedException ex) {
            System.out.println("REJECTED " + ex.getMessage());
            System.exit(3);
        }
    }
}
