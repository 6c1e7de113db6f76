package dev.besworker.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import dev.besworker.definition.InputSpec;
import dev.besworker.definition.JobDefinition;
import dev.besworker.pipeline.ExecutionGuard;
import dev.besworker.pipeline.InputFile;
import dev.besworker.pipeline.Progress;
import dev.besworker.pipeline.RunIdentity;
import dev.besworker.pipeline.RunIndex;
import dev.besworker.pipeline.RunKeys;
import dev.besworker.pipeline.RunLogListener;
import dev.besworker.pipeline.ScoringEnvironment;
import dev.besworker.staging.BlobStaging;
import dev.besworker.staging.BlockStager;
import dev.besworker.staging.CsvCheck;
import dev.besworker.staging.CsvValidator;
import dev.besworker.staging.InputRejectedException;
import dev.besworker.staging.InputRules;
import dev.besworker.staging.PrestagedBlocks;

/**
 * Starts and restarts scoring runs, in the calling thread: the one entry point the command line,
 * {@code serve}, the inbox and the console score through. {@link #run} checks the definition and
 * the inputs first (one pass validates and hashes each file: the hash is part of the run's
 * identity), then either reports an earlier completed run of the same identity, restarts the
 * newest unfinished one, or launches a new run.
 */
public class ScoringRuns {

    private static final Logger log = LoggerFactory.getLogger(ScoringRuns.class);

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;
    private final Job job;
    private final ScoringEnvironment environment;
    private final CsvValidator validator;
    private final RunIndex runIndex;
    private final ExecutionGuard guard;

    public ScoringRuns(JobOperator jobOperator, JobRepository jobRepository, Job job, ScoringEnvironment environment,
            CsvValidator validator, RunIndex runIndex, ExecutionGuard guard) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
        this.job = job;
        this.environment = environment;
        this.validator = validator;
        this.runIndex = runIndex;
        this.guard = guard;
    }

    /**
     * What to score.
     *
     * @param definition the definition's name
     * @param inputs input name to file; a single entry with a null name means the definition's one input
     * @param outputDir where results go; null for the definition's output-dir
     * @param parameters global parameters given for this run, over the definition's
     * @param force score again even if the same work completed before
     */
    public record RunRequest(String definition, Map<String, Path> inputs, Path outputDir,
            Map<String, String> parameters, boolean force) {
    }

    /**
     * How a run ended.
     *
     * @param executionId the execution that ran, or the earlier one reported
     * @param status its status
     * @param outputs the result files
     * @param failure what failed it, or null
     * @param earlier whether this is an earlier completed run reported instead of scoring again
     */
    public record RunOutcome(long executionId, BatchStatus status, List<Path> outputs, Throwable failure,
            boolean earlier) {

        public boolean completed() {
            return status == BatchStatus.COMPLETED;
        }
    }

    /**
     * A request whose definition and inputs were checked, ready to run.
     *
     * @param request what was asked
     * @param definition the definition as written
     * @param inputs the checked inputs
     * @param identity the run's identity
     * @param prestaged per input name, its blocks staged in storage while it was validated
     */
    public record PreparedRun(RunRequest request, JobDefinition definition, List<InputFile> inputs,
            RunIdentity identity, Map<String, PrestagedBlocks> prestaged) {

        public PreparedRun {
            prestaged = Map.copyOf(prestaged);
        }

        /** The same run with other inputs (the same bytes, elsewhere); nothing staged ahead. */
        public PreparedRun withInputs(List<InputFile> moved) {
            return new PreparedRun(request, definition, moved, identity, Map.of());
        }
    }

    /**
     * Checks the definition and validates and hashes every input, before anything is started.
     *
     * @throws dev.besworker.definition.DefinitionException for a bad definition
     * @throws InputRejectedException for a bad input
     * @throws IllegalArgumentException for inputs that do not match the definition
     */
    public PreparedRun prepare(RunRequest request) {
        JobDefinition definition = environment.rawDefinition(request.definition());
        Map<String, PrestagedBlocks> prestaged = new LinkedHashMap<>();
        try (BlobStaging staging = anyInputInBlocks(request.inputs().values()) ? stagingAhead(definition) : null) {
            List<InputFile> inputs = checkInputs(definition, request, staging, prestaged);
            Map<String, String> globals = new LinkedHashMap<>(definition.globalParameters());
            globals.putAll(request.parameters());
            PreparedRun prepared = new PreparedRun(request, definition, inputs, RunIdentity.of(definition, inputs, globals),
                    prestaged);
            if (!prestaged.isEmpty() && !request.force() && !runIndex.executions(prepared.identity()).isEmpty()) {
                // An earlier run holds this work: it is reported or restarted, with its own blobs.
                discard(prepared);
                return prepared.withInputs(inputs);
            }
            return prepared;
        }
        catch (RuntimeException ex) {
            prestaged.values().forEach(blocks -> discardQuietly(definition, blocks));
            throw ex;
        }
    }

    /** Drops blocks a prepared run staged ahead, when it is not going to be run after all. */
    public void discard(PreparedRun prepared) {
        prepared.prestaged().values().forEach(blocks -> discardQuietly(prepared.definition(), blocks));
    }

    private void discardQuietly(JobDefinition definition, PrestagedBlocks blocks) {
        try (BlobStaging staging = environment.openStaging(environment.effective(definition))) {
            staging.discard(blocks);
        }
        catch (RuntimeException ex) {
            log.debug("could not discard the blocks staged for {}: {}", blocks.blobName(), ex.getMessage());
        }
    }

    /**
     * Whether a file is larger than one block, and so uploaded while it is validated (small ones
     * go up in one request, after launch); storage must then be reachable before {@link #prepare}.
     */
    public boolean anyInputInBlocks(Collection<Path> files) {
        for (Path file : files) {
            try {
                if (environment.transferSettings().inBlocks(Files.size(file))) {
                    return true;
                }
            }
            catch (IOException ex) {
                // The validation reports it, naming the file and the fix.
            }
        }
        return false;
    }

    /**
     * Storage to stage inputs in while they are validated, or null when it cannot be reached
     * yet (embedded services not started) or is misconfigured: the upload step then reports it.
     */
    private BlobStaging stagingAhead(JobDefinition definition) {
        try {
            return environment.openStaging(environment.effective(definition));
        }
        catch (RuntimeException ex) {
            log.debug("not staging ahead for {}: {}", definition.name(), ex.getMessage());
            return null;
        }
    }

    /**
     * The newest completed run of the same work, unless the request forces a new one: reported
     * instead of scoring twice, and known before any service is started.
     */
    public Optional<RunOutcome> earlierCompleted(PreparedRun prepared) {
        if (prepared.request().force()) {
            return Optional.empty();
        }
        return alreadyScored(prepared, executionsOf(prepared.identity()));
    }

    /** The executions that held this work, newest first. */
    private List<JobExecution> executionsOf(RunIdentity identity) {
        return runIndex.executions(identity).stream().map(jobRepository::getJobExecution).toList();
    }

    /** The newest completed one of {@code executions}, reported as "already scored". */
    private Optional<RunOutcome> alreadyScored(PreparedRun prepared, List<JobExecution> executions) {
        return executions.stream().filter(execution -> execution.getStatus() == BatchStatus.COMPLETED).findFirst()
                .map(execution -> {
                    log.info("{} was already scored by execution {} on {}; not scoring again (use --force to)",
                            prepared.inputs().get(0).path(), execution.getId(), execution.getEndTime());
                    return outcome(execution, true);
                });
    }

    /** Checks the request, then runs it (or reports or restarts the same work) to the end. */
    public RunOutcome run(RunRequest request) {
        return run(prepare(request));
    }

    /** Runs a prepared request (or reports or restarts the same work) to the end. */
    public RunOutcome run(PreparedRun prepared) {
        RunRequest request = prepared.request();
        JobDefinition definition = prepared.definition();
        List<InputFile> inputs = prepared.inputs();
        RunIdentity identity = prepared.identity();
        boolean freshInstance = request.force();
        if (!request.force()) {
            List<JobExecution> executions = executionsOf(identity);
            Optional<RunOutcome> earlier = alreadyScored(prepared, executions);
            if (earlier.isPresent()) {
                discard(prepared);
                return earlier.get();
            }
            if (!executions.isEmpty()) {
                JobExecution newest = executions.get(0);
                if (newest.getStatus() != BatchStatus.ABANDONED) {
                    log.info("execution {} already holds this work ({}); restarting it", newest.getId(),
                            newest.getStatus());
                    discard(prepared);
                    return restart(newest);
                }
                freshInstance = true;
            }
        }
        JobParametersBuilder parameters = new JobParametersBuilder()
                .addString(RunKeys.DEFINITION, identity.definition())
                .addString(RunKeys.INPUT_SHA256, identity.inputSha256())
                .addString(RunKeys.REQUEST_HASH, identity.requestHash());
        if (freshInstance) {
            parameters.addString(RunKeys.NONCE, UUID.randomUUID().toString());
        }
        inputs.forEach(input -> input.addTo(parameters));
        prepared.prestaged().forEach((name, blocks) -> parameters.addString(RunKeys.inputKey(name, RunKeys.PRESTAGED),
                blocks.encode(), false));
        Path outputDir = request.outputDir() != null ? request.outputDir() : definition.outputDir();
        parameters.addString(RunKeys.OUTPUT_DIR, outputDir.toAbsolutePath().normalize().toString(), false);
        request.parameters().forEach((name, value) -> parameters.addString(RunKeys.PARAM_PREFIX + name, value, false));
        return launch(parameters.toJobParameters());
    }

    private RunOutcome launch(JobParameters parameters) {
        try {
            return outcome(jobOperator.start(job, parameters), false);
        }
        catch (Exception ex) {
            throw new IllegalStateException("could not launch the run: " + ex.getMessage(), ex);
        }
    }

    /** Restarts a failed, stopped or abandoned-by-a-crash execution; reports a completed one. */
    public RunOutcome restart(long executionId) {
        return restart(execution(executionId));
    }

    private RunOutcome restart(JobExecution execution) {
        // One restart of a job instance at a time, across workers, until it has created its
        // execution: Spring Batch checks and creates in separate transactions (spring-batch#5397).
        try (ExecutionGuard.RestartLock lock = guard.lockRestarts(execution.getJobInstance().getInstanceId())) {
            return restartLocked(execution);
        }
    }

    private RunOutcome restartLocked(JobExecution execution) {
        JobExecution last = jobRepository.getLastJobExecution(execution.getJobInstance());
        if (last != null && last.getId() != execution.getId()) {
            log.info("execution {} was restarted before as execution {}; continuing from that one", execution.getId(),
                    last.getId());
            execution = last;
        }
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            log.info("execution {} completed on {}; nothing to restart", execution.getId(), execution.getEndTime());
            return outcome(execution, true);
        }
        if (execution.getStatus() == BatchStatus.ABANDONED) {
            throw new IllegalStateException("execution " + execution.getId()
                    + " was abandoned and cannot be restarted; score the input again with 'run --force'");
        }
        JobExecution ready = guard.takeOver(execution);
        try {
            return outcome(jobOperator.restart(ready), false);
        }
        catch (Exception ex) {
            throw new IllegalStateException("could not restart execution " + execution.getId() + ": " + ex.getMessage(),
                    ex);
        }
    }

    /** The definition an execution ran with. */
    public String definitionOf(long executionId) {
        return execution(executionId).getJobParameters().getString(RunKeys.DEFINITION);
    }

    /** The execution with this id, or an error that says where to look. */
    private JobExecution execution(long executionId) {
        return RunIndex.requireExecution(jobRepository, executionId);
    }

    private List<InputFile> checkInputs(JobDefinition definition, RunRequest request, BlobStaging staging,
            Map<String, PrestagedBlocks> prestaged) {
        Map<String, Path> given = request.inputs();
        Map<String, Path> byName = new LinkedHashMap<>();
        List<InputSpec> specs = definition.inputs();
        if (given.size() == 1 && given.containsKey(null)) {
            if (specs.size() != 1) {
                throw new IllegalArgumentException("definition '" + definition.name() + "' has " + specs.size()
                        + " inputs " + specs.stream().map(InputSpec::name).toList() + ": give each as --input NAME=FILE");
            }
            byName.put(specs.get(0).name(), given.get(null));
        }
        else {
            byName.putAll(given);
        }
        List<InputFile> inputs = new ArrayList<>();
        for (InputSpec spec : specs) {
            Path file = byName.remove(spec.name());
            if (file == null) {
                throw new IllegalArgumentException("no file for input '" + spec.name() + "': give --input "
                        + spec.name() + "=FILE");
            }
            InputRules rules = new InputRules(spec.requiredColumns(), spec.delimiter(), spec.maxRecordBytes());
            CsvCheck check;
            long size = sizeOrZero(file);
            HeapTrim.beforeInputOf(size);
            try (BlockStager stager = stager(definition, spec.name(), file, request.force(), staging)) {
                check = validator.validate(file, rules,
                        new Progress(log, (stager == null ? "validate " : "validate and upload ") + spec.name()), stager);
                PrestagedBlocks blocks = stager == null ? null : stager.finish();
                if (blocks != null && blocks.bytes() == check.bytes()) {
                    prestaged.put(spec.name(), blocks);
                }
            }
            finally {
                HeapTrim.afterInputOf(size);
            }
            log.info("{}: {} is valid: {} rows, {}", spec.name(), file, check.dataRows(), Progress.bytes(check.bytes()));
            InputFile input = InputFile.of(spec.name(), check, modified(file));
            // Absolute, so that a restart from another working directory finds the file.
            inputs.add(new InputFile(input.name(), file.toAbsolutePath().normalize(), input.sha256(), input.md5(),
                    input.bytes(), input.rows(), input.modifiedMillis()));
        }
        if (!byName.isEmpty()) {
            throw new IllegalArgumentException("definition '" + definition.name() + "' has no input named "
                    + byName.keySet() + "; its inputs are " + specs.stream().map(InputSpec::name).toList());
        }
        return inputs;
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        }
        catch (IOException ex) {
            return 0; // validation says what is wrong with it
        }
    }

    /**
     * A stager for an input that goes up in blocks, so that it is uploaded while it is validated;
     * null for small files, when storage is not at hand, or when an earlier run of the definition
     * had an input of the same size (probably the same work, reported instead of scored again).
     */
    private BlockStager stager(JobDefinition definition, String inputName, Path file, boolean force,
            BlobStaging staging) {
        if (staging == null) {
            return null;
        }
        try {
            long size = Files.size(file);
            if (!staging.uploadsInBlocks(size) || (!force && runIndex.hadInputOfSize(definition.name(), inputName, size))) {
                return null;
            }
            // Named after the file's path, size and modification time, so that a run killed during
            // this pass finds its blocks again when it is run anew (block ids name their content).
            String blobName = InputFile.blobName(definition.name(), LocalDate.now(ZoneOffset.UTC).toString(),
                    fileKey(file, size), file);
            return staging.stager(blobName, size, null);
        }
        catch (IOException | RuntimeException ex) {
            log.debug("not staging {} ahead: {}", file, ex.getMessage());
            return null;
        }
    }

    private static String fileKey(Path file, long size) {
        return RunIdentity.sha256(file.toAbsolutePath().normalize() + "\n" + size + "\n" + modified(file))
                .substring(0, 16);
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        }
        catch (IOException ex) {
            throw new InputRejectedException(file, 0, "cannot read its modification time (" + ex.getMessage() + ")",
                    "check the file is still there and readable");
        }
    }

    private RunOutcome outcome(JobExecution execution, boolean earlier) {
        List<Path> outputs = new ArrayList<>();
        execution.getExecutionContext().entrySet().stream()
                .filter(e -> e.getKey().startsWith(RunKeys.DOWNLOADED))
                .forEach(e -> outputs.add(Path.of(String.valueOf(e.getValue()))));
        Throwable failure = RunLogListener.firstFailure(execution).orElse(null);
        return new RunOutcome(execution.getId(), execution.getStatus(), outputs, failure, earlier);
    }
}
