package dev.besworker.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.definition.DefinitionException;
import dev.besworker.pipeline.InputFile;
import dev.besworker.pipeline.OwnedExecutionException;
import dev.besworker.pipeline.RunIdentity;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.RunLogListener;
import dev.besworker.runs.ScoringRuns;
import dev.besworker.runs.ScoringRuns.PreparedRun;
import dev.besworker.runs.ScoringRuns.RunOutcome;
import dev.besworker.runs.ScoringRuns.RunRequest;
import dev.besworker.secrets.Redactor;
import dev.besworker.staging.InputRejectedException;

/**
 * Scores one inbox file, in the calling thread, from claim to its final folder:
 * <ol>
 * <li>claims it into {@code .processing/} (unless it is there already);</li>
 * <li>validates and hashes it ({@link ScoringRuns#prepare}); a bad file goes to {@code failed/}
 *     with {@code <name>.error.txt};</li>
 * <li>the same content scored before (same identity) goes to {@code done/} with
 *     {@code <name>.duplicate.txt} naming the earlier run, and is not scored again;</li>
 * <li>otherwise runs it ({@link ScoringRuns#run}: an unfinished run of the same identity, such as
 *     one a killed worker left behind, is restarted rather than started anew);</li>
 * <li>moves it to {@code done/} or {@code failed/} (with the reason, the execution id and how to
 *     retry), or, when the worker is shutting down, leaves it in {@code .processing/} so that the
 *     next start resumes it.</li>
 * </ol>
 */
public class InboxProcessor {

    private static final Logger log = LoggerFactory.getLogger(InboxProcessor.class);

    /** Where a file ended. */
    public enum Outcome {
        /** Scored; in done/. */
        DONE,
        /** Same content scored before; in done/ with a .duplicate.txt. */
        DUPLICATE,
        /** The run failed; in failed/ with an .error.txt. */
        FAILED,
        /** The file (or the definition) was refused before any run; in failed/ with an .error.txt. */
        REJECTED,
        /** Left in .processing/ because the worker is stopping; the next start resumes it. */
        LEFT_FOR_RESTART,
        /** Its identity is being run right now (here or by another process); try again later. */
        DEFERRED,
        /** Not claimed: it vanished, a file of the same name is still being processed, or another worker holds it. */
        NOT_CLAIMED,
        /**
         * This worker lost its claim while scoring (it was paused past its lease and another worker
         * took the file over): it left the file alone.
         */
        STOOD_DOWN
    }

    /** The outcomes after which this worker gives its claim of the file up. */
    private static final Set<Outcome> RELEASING = Set.of(Outcome.DONE, Outcome.DUPLICATE, Outcome.FAILED,
            Outcome.REJECTED, Outcome.LEFT_FOR_RESTART);

    /**
     * What happened to one file.
     *
     * @param work the work as given
     * @param outcome where it ended
     * @param file where the file is now
     * @param executionId the execution that ran it (or the earlier one, for a duplicate), or null
     * @param status that execution's status, or null
     * @param error why it failed, scrubbed, or null
     * @param retryCommand the shell command that retries it, or null
     * @param report the report written next to it, or null
     * @param outputs the result files
     */
    public record Result(InboxWork work, Outcome outcome, Path file, Long executionId, BatchStatus status,
            String error, String retryCommand, Path report, List<Path> outputs) {

        static Result of(InboxWork work, Outcome outcome, Path file) {
            return new Result(work, outcome, file, null, null, null, null, null, List.of());
        }
    }

    private final ScoringRuns runs;
    private final RunIndex runIndex;
    private final JobRepository jobRepository;
    private final InboxIntake intake;
    private final InboxClaims claims;
    private final Clock clock;
    private final String cliCommand;
    private final Set<RunIdentity> inFlight = ConcurrentHashMap.newKeySet();

    /**
     * @param cliCommand how reports name the command line, e.g. {@code bes-worker --data-dir /srv/data}
     */
    public InboxProcessor(ScoringRuns runs, RunIndex runIndex, JobRepository jobRepository, InboxIntake intake,
            InboxClaims claims, Clock clock, String cliCommand) {
        this.runs = runs;
        this.runIndex = runIndex;
        this.jobRepository = jobRepository;
        this.intake = intake;
        this.claims = claims;
        this.clock = clock;
        this.cliCommand = cliCommand;
    }

    /**
     * Scores the file of one work item to its end.
     *
     * @param stopping whether the worker is shutting down (checked before anything is started)
     */
    public Result process(InboxWork work, BooleanSupplier stopping) {
        Result result = claimAndScore(work, stopping);
        InboxWork last = result.work();
        if (last.claim() != null && RELEASING.contains(result.outcome())) {
            try {
                claims.release(last.claim());
            }
            catch (RuntimeException ex) {
                log.warn("inbox {}: cannot give up the claim of {}: {}", last.definition(), last.fileName(),
                        ex.getMessage());
            }
        }
        return result;
    }

    private Result claimAndScore(InboxWork work, BooleanSupplier stopping) {
        InboxWork claimedWork;
        try {
            if (work.claim() != null) {
                // deferred earlier under this worker's claim, which it may have lost meanwhile
                if (!stillHeld(work)) {
                    return Result.of(work, Outcome.STOOD_DOWN, work.file());
                }
                claimedWork = work;
            }
            else {
                claimedWork = work.claimed() ? claimInProcessing(work).orElse(null) : claim(work).orElse(null);
            }
        }
        catch (IOException ex) {
            log.warn("inbox {}: cannot claim {}: {}", work.definition(), work.file(), ex.getMessage());
            return Result.of(work, Outcome.NOT_CLAIMED, work.file());
        }
        if (claimedWork == null) {
            return Result.of(work, Outcome.NOT_CLAIMED, work.file());
        }
        if (stopping.getAsBoolean()) {
            return Result.of(claimedWork, Outcome.LEFT_FOR_RESTART, claimedWork.file());
        }
        try {
            return score(claimedWork, stopping);
        }
        catch (IOException ex) {
            // The file could not be moved to its final folder: it stays in .processing/ and the next start retries it.
            log.error("inbox {}: cannot move {} out of {}: {}; it stays there and is retried at the next start",
                    work.definition(), claimedWork.fileName(), Inbox.PROCESSING, ex.getMessage());
            return Result.of(claimedWork, Outcome.LEFT_FOR_RESTART, claimedWork.file());
        }
    }

    /**
     * Claims a waiting file: first in the database (the insert that wins the key claims it, for
     * the whole cluster), then by the rename into {@code .processing/}.
     */
    private Optional<InboxWork> claim(InboxWork work) throws IOException {
        Path waiting = work.file();
        try {
            Optional<InboxClaims.Claim> claim;
            try {
                claim = claims.claim(work.inbox(), waiting);
            }
            catch (NoSuchFileException gone) {
                claim = Optional.empty();
            }
            if (claim.isEmpty()) {
                log.debug("inbox {}: {} not claimed (gone, or another worker holds it)", work.definition(),
                        waiting.getFileName());
                return Optional.empty();
            }
            Optional<Path> claimed;
            try {
                claimed = work.inbox().claim(waiting);
            }
            catch (IOException | RuntimeException ex) {
                claims.release(claim.get());
                throw ex;
            }
            if (claimed.isEmpty()) {
                claims.release(claim.get());
                log.debug("inbox {}: {} not claimed (gone, or a file of that name is still being processed)",
                        work.definition(), waiting.getFileName());
                return Optional.empty();
            }
            log.info("inbox {}: claimed {}", work.definition(), waiting.getFileName());
            return Optional.of(work.claimedAs(claimed.get()).withClaim(claim.get()));
        }
        finally {
            // Whatever happened, the name may be taken again by a later scan: the file left, or must be tried later.
            intake.forget(work, waiting);
        }
    }

    /**
     * Claims a file found in {@code .processing/} (left by a worker that stopped or died): only
     * when nobody holds it, or its holder is dead.
     */
    private Optional<InboxWork> claimInProcessing(InboxWork work) throws IOException {
        try {
            return claims.claim(work.inbox(), work.file()).map(work::withClaim);
        }
        catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    /**
     * Whether this worker may still move the file: false when it lost its claim (paused past its
     * lease, and another worker took the file over), in which case it stands down.
     */
    private boolean stillHeld(InboxWork work) {
        if (work.claim() == null || claims.holds(work.claim())) {
            return true;
        }
        log.warn("inbox {}: {}: this worker lost its claim of the file (it was paused past its lease and another"
                + " worker took it over); standing down, the file is left to that worker", work.definition(),
                work.fileName());
        return false;
    }

    private Result score(InboxWork work, BooleanSupplier stopping) throws IOException {
        Inbox inbox = work.inbox();
        Map<String, Path> inputs = new HashMap<>();
        inputs.put(null, work.file());
        PreparedRun prepared;
        try {
            prepared = runs.prepare(new RunRequest(work.definition(), inputs, null, Map.of(), false));
        }
        catch (InputRejectedException | IllegalArgumentException | IllegalStateException ex) {
            return reject(work, Redactor.scrub(ex.getMessage()),
                    "Fix the file as the reason says, then put it back into the inbox");
        }
        catch (DefinitionException ex) {
            return reject(work, Redactor.scrub(String.join("; ", ex.problems())),
                    "Fix the job definition, then put the file back into the inbox");
        }
        if (!inFlight.add(prepared.identity())) {
            log.info("inbox {}: {} has the same content as a file being scored now; it waits for that one",
                    work.definition(), work.fileName());
            return Result.of(work, Outcome.DEFERRED, work.file());
        }
        try {
            return run(work, inbox, prepared, stopping);
        }
        finally {
            inFlight.remove(prepared.identity());
        }
    }

    private Result run(InboxWork work, Inbox inbox, PreparedRun prepared, BooleanSupplier stopping)
            throws IOException {
        Optional<RunOutcome> earlier = runs.earlierCompleted(prepared);
        if (earlier.isPresent()) {
            return earlierRun(work, inbox, earlier.get());
        }
        Placed placed = atPathOfUnfinishedRun(work, prepared);
        prepared = placed.prepared();
        Path claimed = prepared.inputs().get(0).path();
        InboxWork current = placed.work();
        if (stopping.getAsBoolean()) {
            return Result.of(current, Outcome.LEFT_FOR_RESTART, claimed);
        }
        RunOutcome outcome;
        try {
            outcome = runs.run(prepared);
        }
        catch (OwnedExecutionException ex) {
            log.info("inbox {}: {}: {}; trying again later", inbox.definition(), current.fileName(), ex.getMessage());
            return Result.of(current, Outcome.DEFERRED, claimed);
        }
        catch (RuntimeException ex) {
            Long executionId = runIndex.executions(prepared.identity()).stream().findFirst().orElse(null);
            return fail(current, executionId, null, RunLogListener.reason(ex));
        }
        if (!stillHeld(current)) {
            return new Result(current, Outcome.STOOD_DOWN, claimed, outcome.executionId(), outcome.status(), null, null,
                    null, List.of());
        }
        if (outcome.completed()) {
            Path done = inbox.moveToDone(claimed, outcome.executionId(), clock);
            log.info("inbox {}: {} scored by execution {}; moved to {}", inbox.definition(), current.fileName(),
                    outcome.executionId(), inbox.dir().relativize(done));
            return new Result(current, Outcome.DONE, done, outcome.executionId(), outcome.status(), null, null, null,
                    outcome.outputs());
        }
        if (outcome.status() == BatchStatus.STOPPED && stopping.getAsBoolean()) {
            log.info("inbox {}: {}: execution {} stopped for shutdown; it stays in {} and resumes at the next start",
                    inbox.definition(), current.fileName(), outcome.executionId(), Inbox.PROCESSING);
            return new Result(current, Outcome.LEFT_FOR_RESTART, claimed, outcome.executionId(), outcome.status(),
                    null, null, null, List.of());
        }
        String reason = outcome.failure() != null ? RunLogListener.reason(outcome.failure())
                : "execution " + outcome.executionId() + " ended " + outcome.status();
        return fail(current, outcome.executionId(), outcome.status(), reason);
    }

    private Result earlierRun(InboxWork work, Inbox inbox, RunOutcome earlier) throws IOException {
        if (!stillHeld(work)) {
            return Result.of(work, Outcome.STOOD_DOWN, work.file());
        }
        JobExecution execution = RunIndex.findExecution(jobRepository, earlier.executionId()).orElse(null);
        String earlierInput = null;
        if (execution != null) {
            for (JobParameter<?> parameter : execution.getJobParameters()) {
                if (parameter.name().startsWith(RunKeys.INPUT_PREFIX) && parameter.name().endsWith(RunKeys.PATH)) {
                    earlierInput = String.valueOf(parameter.value());
                }
            }
        }
        if (work.resumed() && work.file().toString().equals(earlierInput)) {
            // This very file's run completed before the worker stopped; only the move to done/ was left.
            Path done = inbox.moveToDone(work.file(), earlier.executionId(), clock);
            log.info("inbox {}: {} was scored by execution {} before the restart; moved to {}", inbox.definition(),
                    work.fileName(), earlier.executionId(), inbox.dir().relativize(done));
            return new Result(work, Outcome.DONE, done, earlier.executionId(), earlier.status(), null, null, null,
                    earlier.outputs());
        }
        Path done = inbox.moveToDone(work.file(), null, clock);
        String when = execution == null || execution.getEndTime() == null ? ""
                : " on " + execution.getEndTime().truncatedTo(ChronoUnit.SECONDS);
        String what = earlierInput == null ? "" : " (" + Path.of(earlierInput).getFileName() + ")";
        StringBuilder text = new StringBuilder()
                .append(done.getFileName()).append(" has the same content as a file already scored by execution ")
                .append(earlier.executionId()).append(when).append(what)
                .append(",\nwith the same definition (").append(inbox.definition())
                .append(") and parameters, so it was not scored again.\n");
        if (!earlier.outputs().isEmpty()) {
            text.append("\nResults of that run:\n");
            earlier.outputs().forEach(output -> text.append("  ").append(output).append('\n'));
        }
        text.append("\nTo score it again anyway:\n  ").append(cliCommand).append(" run ").append(inbox.definition())
                .append(" --input ").append(quote(done.toString())).append(" --force\n");
        Path report = Inbox.writeReport(done, Inbox.DUPLICATE_REPORT, text.toString());
        log.info("inbox {}: {} is a duplicate of execution {}; moved to {} with {}", inbox.definition(),
                work.fileName(), earlier.executionId(), inbox.dir().relativize(done), report.getFileName());
        return new Result(work, Outcome.DUPLICATE, done, earlier.executionId(), earlier.status(), null, null, report,
                earlier.outputs());
    }

    /**
     * A restart reuses the input path its execution was started with. When the file came back
     * under another name (say from {@code failed/x.42.csv}), it takes that path again if it is free.
     */
    private record Placed(InboxWork work, PreparedRun prepared) {
    }

    private Placed atPathOfUnfinishedRun(InboxWork work, PreparedRun prepared) throws IOException {
        InputFile input = prepared.inputs().get(0);
        Optional<JobExecution> unfinished = runIndex.executions(prepared.identity()).stream().findFirst()
                .flatMap(id -> RunIndex.findExecution(jobRepository, id))
                .filter(e -> e.getStatus() != BatchStatus.COMPLETED && e.getStatus() != BatchStatus.ABANDONED);
        InboxWork here = input.path().equals(work.file()) ? work : work.claimedAs(input.path());
        if (unfinished.isEmpty()) {
            return new Placed(here, prepared);
        }
        String expected = unfinished.get().getJobParameters().getString(RunKeys.inputKey(input.name(), RunKeys.PATH));
        if (expected == null || expected.equals(input.path().toString())) {
            return new Placed(here, prepared);
        }
        Path target = Path.of(expected);
        if (!work.inbox().processing().equals(target.getParent()) || Files.exists(target)) {
            return new Placed(here, prepared);
        }
        // The claim moves to the new name first, so that no other worker sees the renamed file unclaimed.
        InboxClaims.Claim claim = work.claim() == null ? null : claims.rename(work.claim(), work.inbox(), input.path(),
                target);
        Path moved = Files.move(input.path(), target);
        log.info("inbox {}: {} takes back the name {} of execution {}, which it restarts", work.definition(),
                work.fileName(), moved.getFileName(), unfinished.get().getId());
        InputFile renamed = new InputFile(input.name(), moved, input.sha256(), input.md5(), input.bytes(), input.rows(),
                input.modifiedMillis());
        runs.discard(prepared);
        return new Placed(here.claimedAs(moved).withClaim(claim), prepared.withInputs(List.of(renamed)));
    }

    private Result reject(InboxWork work, String reason, String fix) throws IOException {
        if (!stillHeld(work)) {
            return Result.of(work, Outcome.STOOD_DOWN, work.file());
        }
        reason = withoutProcessingPath(reason, work);
        Path failed = work.inbox().moveToFailed(work.file(), null);
        String retry = retryCommand(work.inbox(), failed);
        String text = report(failed, work.definition(), null, null, reason)
                + "\n" + fix + ":\n  " + retry + "\n";
        Path report = Inbox.writeReport(failed, Inbox.ERROR_REPORT, text);
        log.warn("inbox {}: {} refused: {}; moved to {}", work.definition(), work.fileName(), reason,
                work.inbox().dir().relativize(failed));
        return new Result(work, Outcome.REJECTED, failed, null, null, reason, retry, report, List.of());
    }

    private Result fail(InboxWork work, Long executionId, BatchStatus status, String reason) throws IOException {
        if (!stillHeld(work)) {
            return new Result(work, Outcome.STOOD_DOWN, work.file(), executionId, status, reason, null, null,
                    List.of());
        }
        reason = withoutProcessingPath(reason, work);
        Path failed = work.inbox().moveToFailed(work.file(), executionId);
        String retry = retryCommand(work.inbox(), failed);
        StringBuilder text = new StringBuilder(report(failed, work.definition(), executionId, status, reason));
        text.append("\nTo try again, put the file back into the inbox:\n  ").append(retry).append('\n');
        if (executionId != null) {
            text.append("serve then restarts execution ").append(executionId)
                    .append(" where it stopped (a BES job it already submitted is not submitted again).\n")
                    .append("Details: ").append(cliCommand).append(" show ").append(executionId).append('\n');
        }
        Path report = Inbox.writeReport(failed, Inbox.ERROR_REPORT, text.toString());
        log.warn("inbox {}: {} failed{}: {}; moved to {}", work.definition(), work.fileName(),
                executionId == null ? "" : " (execution " + executionId + ")", reason,
                work.inbox().dir().relativize(failed));
        return new Result(work, Outcome.FAILED, failed, executionId, status, reason, retry, report, List.of());
    }

    /** Messages name the claimed path, which the file is about to leave: its name says it better. */
    private static String withoutProcessingPath(String reason, InboxWork work) {
        return reason == null ? null : reason.replace(work.file().toString(), work.fileName());
    }

    private String report(Path file, String definition, Long executionId, BatchStatus status, String reason) {
        return "file:       " + file.getFileName() + "\n"
                + "definition: " + definition + "\n"
                + (executionId == null ? "" : "execution:  " + executionId + (status == null ? "" : " (" + status + ")") + "\n")
                + "time:       " + Instant.now(clock) + "\n"
                + "reason:     " + reason + "\n";
    }

    private static String retryCommand(Inbox inbox, Path failed) {
        String name = failed.getFileName().toString();
        return "mv " + quote(failed.toString()) + " " + quote(inbox.dir().resolve(name).toString());
    }

    /** Quotes for a POSIX shell when needed. */
    static String quote(String text) {
        if (text.matches("[A-Za-z0-9_./:=@%+-]+")) {
            return text;
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
