package dev.besworker.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Who a worker process is: a random id, new at every start, that the lease and the ownership of
 * executions refer to; and the host, pid and start time, which are shown to people and decide
 * nothing (in containers, pids collide and host names need not resolve).
 *
 * @param instanceId random UUID of this process
 * @param host the machine's name as its kernel knows it (never {@code localhost} for want of DNS)
 * @param pid the process id, as seen in its own pid namespace
 * @param startedAt when the process started, by its own clock (display only)
 */
public record WorkerIdentity(String instanceId, String host, long pid, Instant startedAt) {

    private static final Path KERNEL_HOST_NAME = Path.of("/proc/sys/kernel/hostname");

    /** A new identity for this process. */
    public static WorkerIdentity create(Clock clock) {
        return new WorkerIdentity(UUID.randomUUID().toString(), hostName(), ProcessHandle.current().pid(),
                clock.instant());
    }

    /** The first 8 characters of the id: enough to tell workers apart in a listing. */
    public String shortId() {
        return instanceId.length() > 8 ? instanceId.substring(0, 8) : instanceId;
    }

    @Override
    public String toString() {
        return "worker " + shortId() + " (process " + pid + " on " + host + ")";
    }

    /**
     * The machine's name: the kernel's (what {@code hostname} prints; in a container, the
     * container's), which needs no name resolution. {@code InetAddress.getLocalHost()} resolves the
     * name and so fails where it does not resolve; it is only asked where there is no /proc.
     */
    public static String hostName() {
        try {
            String name = Files.readString(KERNEL_HOST_NAME, StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        }
        catch (IOException | RuntimeException ex) {
            // not Linux: ask the platform below
        }
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (IOException ex) {
            // An unresolvable name still names the machine in the exception's message: "name: reason".
            String message = String.valueOf(ex.getMessage());
            int colon = message.indexOf(':');
            return colon > 0 ? message.substring(0, colon).strip() : "unknown-host";
        }
    }
}
