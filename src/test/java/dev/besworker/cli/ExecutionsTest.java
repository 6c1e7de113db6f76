package dev.besworker.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

class ExecutionsTest {

    @Test
    void awaitEnd_whenTheOwnerExitsUnderARead_readsAgainAndReportsTheEnd() {
        // given: the owner serves the database and exits right after ending the execution
        JobRepository repository = mock(JobRepository.class);
        AtomicInteger reads = new AtomicInteger();
        when(repository.getJobExecution(7L)).thenAnswer(call -> switch (reads.incrementAndGet()) {
            case 1 -> execution(BatchStatus.STARTED);
            case 2 -> throw new DataAccessResourceFailureException("Connection is broken: \"session closed\"");
            default -> execution(BatchStatus.STOPPED);
        });

        // when
        JobExecution ended = Executions.awaitEnd(repository, 7L, Duration.ofSeconds(10));

        // then
        assertThat(ended.getStatus()).isEqualTo(BatchStatus.STOPPED);
        assertThat(reads).hasValue(3);
    }

    @Test
    void awaitEnd_whenTheOwnerExitsBeforeTheFirstRead_readsAgainAndReportsTheEnd() {
        // given: with a quick heartbeat the owner stopped and exited right after the stop request
        JobRepository repository = mock(JobRepository.class);
        AtomicInteger reads = new AtomicInteger();
        when(repository.getJobExecution(7L)).thenAnswer(call -> {
            if (reads.incrementAndGet() == 1) {
                throw new TransactionSystemException("JDBC rollback; Database is already closed");
            }
            return execution(BatchStatus.STOPPED);
        });

        // when
        JobExecution ended = Executions.awaitEnd(repository, 7L, Duration.ofSeconds(10));

        // then
        assertThat(ended.getStatus()).isEqualTo(BatchStatus.STOPPED);
        assertThat(reads).hasValue(2);
    }

    @Test
    void awaitEnd_whenTheRepositoryStaysUnreachable_failsAtTheTimeout() {
        // given
        JobRepository repository = mock(JobRepository.class);
        AtomicInteger reads = new AtomicInteger();
        when(repository.getJobExecution(7L)).thenAnswer(call -> {
            if (reads.incrementAndGet() == 1) {
                return execution(BatchStatus.STOPPING);
            }
            throw new DataAccessResourceFailureException("Connection refused");
        });

        // when / then: the last failure is reported rather than a stale "still running"
        assertThatThrownBy(() -> Executions.awaitEnd(repository, 7L, Duration.ofMillis(1_500)))
                .isInstanceOf(DataAccessResourceFailureException.class)
                .hasMessageContaining("Connection refused");
        assertThat(reads.get()).isBetween(2, 4);
    }

    @Test
    void awaitEnd_forAnUnknownExecution_saysSo() {
        // given
        JobRepository repository = mock(JobRepository.class);

        // when / then
        assertThatThrownBy(() -> Executions.awaitEnd(repository, 99L, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("there is no execution 99 (see 'list')");
    }

    private static JobExecution execution(BatchStatus status) {
        JobExecution execution = new JobExecution(7L, new JobInstance(1L, "scoring"), new JobParameters());
        execution.setStatus(status);
        return execution;
    }
}
