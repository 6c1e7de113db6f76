package dev.besworker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.Test;

/** Every worker process gets its own random id; its host is the kernel's name, needing no DNS. */
class WorkerIdentityTest {

    @Test
    void twoIdentitiesOfOneProcess_differInIdOnly() {
        WorkerIdentity one = WorkerIdentity.create(Clock.systemUTC());
        WorkerIdentity two = WorkerIdentity.create(Clock.systemUTC());

        assertThat(one.instanceId()).isNotEqualTo(two.instanceId()).hasSize(36);
        assertThat(one.host()).isEqualTo(two.host());
        assertThat(one.pid()).isEqualTo(two.pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void theHostName_isTheKernelsName() throws Exception {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(kernel), "a Linux kernel");

        assertThat(WorkerIdentity.hostName()).isEqualTo(Files.readString(kernel).strip());
    }
}
