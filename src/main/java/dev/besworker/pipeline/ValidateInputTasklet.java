package dev.besworker.pipeline;

import java.time.LocalDate;
import java.time.ZoneOffset;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepContribution;

import dev.besworker.definition.InputSpec;
import dev.besworker.definition.JobDefinition;
import dev.besworker.staging.CsvCheck;
import dev.besworker.staging.CsvValidator;
import dev.besworker.staging.InputRules;

/**
 * Step 1: the inputs are well-formed CSV with the definition's columns. The launcher already
 * validated and hashed each file in one pass (the hash is part of the run's identity); this
 * step trusts that check while the file's size and modification time are unchanged, and
 * otherwise validates again and insists the bytes are the same. It also fixes the run's date.
 */
class ValidateInputTasklet extends ScoringTasklet {

    private static final Logger log = LoggerFactory.getLogger(ValidateInputTasklet.class);

    private final CsvValidator validator;

    ValidateInputTasklet(JobDefinition definition, JobRepository jobRepository, CsvValidator validator) {
        super(definition, jobRepository);
        this.validator = validator;
    }

    @Override
    protected void execute(RunState state, JobParameters parameters, StepContribution contribution) throws Exception {
        if (!state.has(RunKeys.RUN_DATE)) {
            state.put(RunKeys.RUN_DATE, LocalDate.now(ZoneOffset.UTC).toString());
        }
        long rows = 0;
        for (InputFile input : InputFile.fromParameters(parameters, definition)) {
            if (input.unchangedOnDisk()) {
                log.info("{}: {} checked before launch: {} rows, {}", input.name(), input.path(), input.rows(),
                        Progress.bytes(input.bytes()));
                rows += input.rows();
                continue;
            }
            InputSpec spec = definition.inputs().stream().filter(s -> s.name().equals(input.name())).findFirst()
                    .orElseThrow();
            CsvCheck check = validator.validate(input.path(),
                    new InputRules(spec.requiredColumns(), spec.delimiter(), spec.maxRecordBytes()),
                    new Progress(log, "validate " + input.name()));
            if (!check.sha256Hex().equals(input.sha256())) {
                throw input.changedSinceStart();
            }
            log.info("{}: {} validated: {} rows", input.name(), input.path(), check.dataRows());
            rows += check.dataRows();
            checkStop("while validating " + input.path());
        }
        contribution.incrementWriteCount(rows);
    }
}
