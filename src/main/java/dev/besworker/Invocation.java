package dev.besworker;

/**
 * What the arguments of {@code bes-worker} ask for, read before picocli and before anything logs:
 * which folder the data goes to (the log file is there) and which command was asked. The
 * command is the first argument that is neither an option nor the value of {@code --data-dir} or
 * {@code --jobs-dir}, the rule the launcher script also applies to decide which run records its
 * class-data archive.
 *
 * @param command the command asked for, or {@code null} when no argument names one
 * @param dataDir the value of {@code --data-dir}, or its default
 * @param onlyFolders whether nothing but {@code --data-dir} and {@code --jobs-dir}, each given
 * once with a plain value, comes before the command: then picocli's parse of the top-level
 * command cannot fail or ask for help, so it needs no other command's model
 */
record Invocation(String command, String dataDir, boolean onlyFolders) {

    private static final String DATA_DIR = "--data-dir";

    private static final String JOBS_DIR = "--jobs-dir";

    /** Reads the arguments as picocli will, as far as the command. */
    static Invocation of(String... args) {
        String dataDir = "data";
        boolean dataDirGiven = false;
        boolean jobsDirGiven = false;
        boolean onlyFolders = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String option = arg.startsWith("--") && arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
            boolean folder = option.equals(DATA_DIR) || option.equals(JOBS_DIR);
            if (folder) {
                String value;
                if (option.equals(arg)) {
                    if (i + 1 == args.length) {
                        return new Invocation(null, dataDir, false);
                    }
                    value = args[++i];
                }
                else {
                    value = arg.substring(option.length() + 1);
                }
                boolean again = option.equals(DATA_DIR) ? dataDirGiven : jobsDirGiven;
                // picocli refuses an option given twice, reads "-..." as an option (not a value)
                // when it is one, and expands "@file" anywhere: each makes the top level's parse
                // depend on more than these two options.
                onlyFolders &= !again && !value.startsWith("-") && !value.startsWith("@");
                if (option.equals(DATA_DIR)) {
                    dataDir = value;
                    dataDirGiven = true;
                }
                else {
                    jobsDirGiven = true;
                }
            }
            else if (arg.startsWith("-")) {
                onlyFolders = false;
            }
            else {
                return new Invocation(arg, dataDir, onlyFolders && !arg.startsWith("@"));
            }
        }
        return new Invocation(null, dataDir, false);
    }

}
