package dev.besworker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvocationTest {

    @Test
    void theCommand_isTheFirstArgumentThatIsNeitherAnOptionNorAFoldersValue() {
        // when
        Invocation invocation = Invocation.of("--jobs-dir", "emulator", "--data-dir=d", "list", "run");

        // then
        assertThat(invocation.command()).isEqualTo("list");
        assertThat(invocation.dataDir()).isEqualTo("d");
        assertThat(invocation.onlyFolders()).isTrue();
    }

    @Test
    void theDataDirectory_defaultsToData_andNoArgumentsAskForNoCommand() {
        // when
        Invocation invocation = Invocation.of();

        // then
        assertThat(invocation.command()).isNull();
        assertThat(invocation.dataDir()).isEqualTo("data");
    }

    @Test
    void anyOtherArgumentBeforeTheCommand_makesItNotOnlyFolders() {
        assertThat(Invocation.of("-h", "run").onlyFolders()).isFalse();
        assertThat(Invocation.of("--", "run").onlyFolders()).isFalse();
        assertThat(Invocation.of("--data-dir", "a", "--data-dir", "b", "run").onlyFolders()).isFalse();
        assertThat(Invocation.of("--data-dir", "-h", "run").onlyFolders()).isFalse();
        assertThat(Invocation.of("--jobs-dir", "@args", "run").onlyFolders()).isFalse();
        assertThat(Invocation.of("@args").onlyFolders()).isFalse();
        assertThat(Invocation.of("--data-dir").command()).isNull();
        assertThat(Invocation.of("--data-dir", "a", "--jobs-dir", "b", "run").onlyFolders()).isTrue();
    }

}
