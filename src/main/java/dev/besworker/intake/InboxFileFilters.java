package dev.besworker.intake;

import java.io.File;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.integration.file.filters.AbstractFileListFilter;
import org.springframework.integration.file.filters.AcceptOnceFileListFilter;
import org.springframework.integration.file.filters.ChainFileListFilter;
import org.springframework.integration.file.filters.FileListFilter;
import org.springframework.integration.file.filters.IgnoreHiddenFileListFilter;

/**
 * The filters an inbox scan passes files through, in order (Spring Integration's
 * {@link ChainFileListFilter}: a later filter only sees what the earlier ones let through):
 * <ol>
 * <li>hidden names ({@code .*}, which includes {@code .processing/}) are ignored;</li>
 * <li>{@link NameFilter}: regular files matching the inbox pattern, without temporary names
 *     ({@code *.tmp}, {@code *.part}, {@code ~*});</li>
 * <li>{@link SettledFilter}: size and modification time unchanged for the settle time;</li>
 * <li>{@link ScheduleGate} (scheduled definitions only): released by the last schedule time;</li>
 * <li>accept-once: a file is handed on once; {@link #forget(File)} re-arms its name when the
 *     file has left the inbox, so that a new file of the same name is taken again.</li>
 * </ol>
 */
public final class InboxFileFilters {

    private final NameFilter names;
    private final SettledFilter settled;
    private final ScheduleGate gate;
    private final AcceptOnceFileListFilter<File> once = new AcceptOnceFileListFilter<>();
    private final ChainFileListFilter<File> chain = new ChainFileListFilter<>();

    /**
     * @param pattern the inbox's glob, matched against file names
     * @param settle how long a file must stay unchanged
     * @param scheduled whether files wait for the definition's schedule
     * @param clock the clock settle times are measured with
     */
    public InboxFileFilters(String pattern, Duration settle, boolean scheduled, Clock clock) {
        this.names = new NameFilter(pattern);
        this.settled = new SettledFilter(settle, clock);
        this.gate = scheduled ? new ScheduleGate() : null;
        chain.addFilter(new IgnoreHiddenFileListFilter());
        chain.addFilter(names);
        chain.addFilter(settled);
        if (gate != null) {
            chain.addFilter(gate);
        }
        chain.addFilter(once);
    }

    /** The filter to give the file reading message source. */
    public FileListFilter<File> chain() {
        return chain;
    }

    /** Whether a file is a candidate at all (name, pattern, not hidden), settled or not. */
    public boolean candidate(File file) {
        return !file.getName().startsWith(".") && names.accept(file);
    }

    /** Lets a file's name be accepted again once the file has left the inbox. */
    public void forget(File file) {
        once.remove(file);
        settled.forget(file);
    }

    /** The schedule gate, or null for an unscheduled inbox. */
    public ScheduleGate gate() {
        return gate;
    }

    /** Regular files whose name matches the glob and is not a temporary name. */
    static final class NameFilter extends AbstractFileListFilter<File> {

        private final PathMatcher matcher;

        NameFilter(String pattern) {
            this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        }

        @Override
        public boolean accept(File file) {
            String name = file.getName();
            String lower = name.toLowerCase(Locale.ROOT);
            boolean temporary = name.startsWith("~") || name.startsWith(".") || lower.endsWith(".tmp")
                    || lower.endsWith(".part") || lower.endsWith(".crdownload") || lower.endsWith("~");
            return !temporary && file.isFile() && matcher.matches(Path.of(name));
        }
    }

    /**
     * Accepts a file once its size and modification time have been seen unchanged for the settle
     * time, so that a file still being written (or copied with its old time kept) is not taken.
     */
    static final class SettledFilter implements FileListFilter<File> {

        private record Seen(long size, long modified, Instant since) {
        }

        private final Duration settle;
        private final Clock clock;
        private final Map<String, Seen> seen = new ConcurrentHashMap<>();

        SettledFilter(Duration settle, Clock clock) {
            this.settle = settle;
            this.clock = clock;
        }

        @Override
        public List<File> filterFiles(File[] files) {
            Set<String> present = new HashSet<>();
            List<File> settledFiles = new ArrayList<>();
            for (File file : files) {
                present.add(file.getPath());
                if (accept(file)) {
                    settledFiles.add(file);
                }
            }
            // Forget files that went away, so the map does not grow and a new file starts afresh.
            seen.keySet().retainAll(present);
            return settledFiles;
        }

        @Override
        public boolean accept(File file) {
            long size = file.length();
            long modified = file.lastModified();
            Instant now = clock.instant();
            Seen before = seen.get(file.getPath());
            if (before == null || before.size() != size || before.modified() != modified) {
                seen.put(file.getPath(), new Seen(size, modified, now));
                return false;
            }
            return !now.isBefore(before.since().plus(settle));
        }

        @Override
        public boolean supportsSingleFileFiltering() {
            return true;
        }

        void forget(File file) {
            seen.remove(file.getPath());
        }
    }

    /**
     * Holds back the files of a scheduled definition until its schedule fires: a firing releases
     * the files present at that moment (they still have to settle); later arrivals wait for the
     * next firing.
     */
    public static final class ScheduleGate implements FileListFilter<File> {

        private final Set<String> released = ConcurrentHashMap.newKeySet();

        /**
         * Releases the files present now (the inbox's candidates, settled or not); released files
         * that have disappeared since the last firing are dropped.
         */
        public void release(List<File> present) {
            Set<String> paths = new HashSet<>();
            present.forEach(file -> paths.add(file.getPath()));
            released.retainAll(paths);
            released.addAll(paths);
        }

        /** How many released files have not been handed on yet. */
        public int pending() {
            return released.size();
        }

        @Override
        public List<File> filterFiles(File[] files) {
            return Arrays.stream(files).filter(this::accept).toList();
        }

        @Override
        public boolean accept(File file) {
            return released.remove(file.getPath());
        }

        @Override
        public boolean supportsSingleFileFiltering() {
            return true;
        }
    }
}
