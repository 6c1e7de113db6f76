package dev.besworker.emulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * How a {@link BesEmulator} behaves. Start from {@link #defaults()} and change fields with the
 * {@code with...} methods. {@link #toString()} masks the keys and the connection string.
 *
 * @param port                     loopback port; 0 picks a free one
 * @param apiKey                   the key callers must send as {@code Authorization: Bearer KEY};
 *                                 null accepts any non-blank bearer token
 * @param admin                    whether {@code /_emulator/...} (counters, faults, behaviours) is served
 * @param maxConcurrentJobs        jobs running at once per service; started jobs beyond it wait FIFO
 * @param jobDuration              the least time a job spends Running (tests use it to observe Running)
 * @param subscriptionKey          when set, callers must also send {@code Ocp-Apim-Subscription-Key}
 *                                 (a gateway in front of the service); null: not required
 * @param workspaces               workspace ids served (lower-case hex); empty: every 32-hex id
 * @param services                 service ids served (lower-case hex); empty: every 32-hex id
 * @param hashColumn               the text column the Feature Hashing module reads (default Col2)
 * @param bits                     hashing bit size, 1..{@link FeatureHasher#MAX_DENSE_BITS} (default 3)
 * @param ngrams                   1 or 2 (default 2)
 * @param resultSasValidity        how long a result SAS stays valid (default 24 h)
 * @param defaultStorageConnectionString where outputs without an override go when the input's
 *                                 credentials cannot write (a SAS input); null: use the input's
 * @param maxConcurrentRequests    RRS {@code /execute} requests at once (default 20); more get 503
 * @param requiredGlobalParameters global parameters a submit must carry (default none)
 */
public record EmulatorSettings(
        int port,
        String apiKey,
        boolean admin,
        int maxConcurrentJobs,
        Duration jobDuration,
        String subscriptionKey,
        Set<String> workspaces,
        Set<String> services,
        String hashColumn,
        int bits,
        int ngrams,
        Duration resultSasValidity,
        String defaultStorageConnectionString,
        int maxConcurrentRequests,
        Set<String> requiredGlobalParameters) {

    /** The service's single input name. */
    public static final String INPUT_NAME = "input1";

    /** The service's single output name. */
    public static final String OUTPUT_NAME = "output1";

    /**
     * The id of the one service with two inputs: {@code input1} is scored into {@code output1}
     * and {@code input2} into {@code output2} (every other id has one input and one output).
     */
    public static final String TWO_INPUT_SERVICE = "2222222222222222222222222222222b";

    /** Validates and normalises. */
    public EmulatorSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (maxConcurrentJobs < 1) {
            throw new IllegalArgumentException("maxConcurrentJobs must be at least 1, was " + maxConcurrentJobs);
        }
        if (jobDuration == null || jobDuration.isNegative()) {
            throw new IllegalArgumentException("jobDuration must be zero or positive");
        }
        if (bits < 1 || bits > FeatureHasher.MAX_DENSE_BITS) {
            throw new IllegalArgumentException("bits must be 1.." + FeatureHasher.MAX_DENSE_BITS + ", was " + bits);
        }
        if (ngrams < 1 || ngrams > 2) {
            throw new IllegalArgumentException("ngrams must be 1 or 2, was " + ngrams);
        }
        if (hashColumn == null || hashColumn.isEmpty()) {
            throw new IllegalArgumentException("hashColumn must be given");
        }
        if (resultSasValidity == null || resultSasValidity.isNegative() || resultSasValidity.isZero()) {
            throw new IllegalArgumentException("resultSasValidity must be positive");
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be at least 1");
        }
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        if (subscriptionKey != null && subscriptionKey.isBlank()) {
            subscriptionKey = null;
        }
        workspaces = ids(workspaces);
        services = ids(services);
        requiredGlobalParameters = requiredGlobalParameters == null ? Set.of() : Set.copyOf(requiredGlobalParameters);
    }

    /**
     * Port 0, any bearer token, no admin API, 40 concurrent jobs per service, no minimum job
     * duration, no subscription key, every workspace and service, Col2 / 3 bits / bigrams,
     * 24 h result SAS, outputs next to inputs, 20 concurrent RRS requests.
     */
    public static EmulatorSettings defaults() {
        return new EmulatorSettings(0, null, false, 40, Duration.ZERO, null, Set.of(), Set.of(), "Col2", 3, 2,
                Duration.ofHours(24), null, 20, Set.of());
    }

    public EmulatorSettings withPort(int value) {
        return with(settings -> settings.port = value);
    }

    public EmulatorSettings withApiKey(String value) {
        return with(settings -> settings.apiKey = value);
    }

    public EmulatorSettings withAdmin(boolean value) {
        return with(settings -> settings.admin = value);
    }

    public EmulatorSettings withMaxConcurrentJobs(int value) {
        return with(settings -> settings.maxConcurrentJobs = value);
    }

    public EmulatorSettings withJobDuration(Duration value) {
        return with(settings -> settings.jobDuration = value);
    }

    public EmulatorSettings withSubscriptionKey(String value) {
        return with(settings -> settings.subscriptionKey = value);
    }

    public EmulatorSettings withWorkspaces(Set<String> value) {
        return with(settings -> settings.workspaces = value);
    }

    public EmulatorSettings withServices(Set<String> value) {
        return with(settings -> settings.services = value);
    }

    public EmulatorSettings withHashing(String column, int bitSize, int ngramLength) {
        return with(settings -> {
            settings.hashColumn = column;
            settings.bits = bitSize;
            settings.ngrams = ngramLength;
        });
    }

    public EmulatorSettings withResultSasValidity(Duration value) {
        return with(settings -> settings.resultSasValidity = value);
    }

    public EmulatorSettings withDefaultStorageConnectionString(String value) {
        return with(settings -> settings.defaultStorageConnectionString = value);
    }

    public EmulatorSettings withMaxConcurrentRequests(int value) {
        return with(settings -> settings.maxConcurrentRequests = value);
    }

    public EmulatorSettings withRequiredGlobalParameters(Set<String> value) {
        return with(settings -> settings.requiredGlobalParameters = value);
    }

    /** A copy with the change applied (and validated again). */
    private EmulatorSettings with(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.settings();
    }

    /** The components, changeable, for {@link #with}. */
    private static final class Fields {
        int port;
        String apiKey;
        boolean admin;
        int maxConcurrentJobs;
        Duration jobDuration;
        String subscriptionKey;
        Set<String> workspaces;
        Set<String> services;
        String hashColumn;
        int bits;
        int ngrams;
        Duration resultSasValidity;
        String defaultStorageConnectionString;
        int maxConcurrentRequests;
        Set<String> requiredGlobalParameters;

        Fields(EmulatorSettings from) {
            port = from.port;
            apiKey = from.apiKey;
            admin = from.admin;
            maxConcurrentJobs = from.maxConcurrentJobs;
            jobDuration = from.jobDuration;
            subscriptionKey = from.subscriptionKey;
            workspaces = from.workspaces;
            services = from.services;
            hashColumn = from.hashColumn;
            bits = from.bits;
            ngrams = from.ngrams;
            resultSasValidity = from.resultSasValidity;
            defaultStorageConnectionString = from.defaultStorageConnectionString;
            maxConcurrentRequests = from.maxConcurrentRequests;
            requiredGlobalParameters = from.requiredGlobalParameters;
        }

        EmulatorSettings settings() {
            return new EmulatorSettings(port, apiKey, admin, maxConcurrentJobs, jobDuration, subscriptionKey, workspaces, services, hashColumn, bits, ngrams, resultSasValidity, defaultStorageConnectionString, maxConcurrentRequests, requiredGlobalParameters);
        }
    }

    private static Set<String> ids(Set<String> values) {
        if (values == null) {
            return Set.of();
        }
        return values.stream().map(v -> v.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String toString() {
        return "EmulatorSettings[port=" + port + ", apiKey=" + (apiKey == null ? "(any)" : "******")
                + ", admin=" + admin + ", maxConcurrentJobs=" + maxConcurrentJobs + ", jobDuration=" + jobDuration
                + ", subscriptionKey=" + (subscriptionKey == null ? "(none)" : "******")
                + ", workspaces=" + (workspaces.isEmpty() ? "(any)" : workspaces)
                + ", services=" + (services.isEmpty() ? "(any)" : services)
                + ", hashing=" + hashColumn + "/" + bits + " bits/" + ngrams + "-grams"
                + ", resultSasValidity=" + resultSasValidity
                + ", defaultStorage=" + (defaultStorageConnectionString == null ? "(input's)" : "******")
                + ", maxConcurrentRequests=" + maxConcurrentRequests
                + ", requiredGlobalParameters=" + requiredGlobalParameters + "]";
    }
}
