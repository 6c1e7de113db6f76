package dev.besworker.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class InputFileTest {

    @TempDir
    Path dir;

    @Test
    void aFileAsChecked_isUnchanged_andOneWrittenSince_isRefusedForTheRun() throws IOException {
        // given: a file as the launcher checked it
        Path file = Files.writeString(dir.resolve("in.csv"), "Col2\nabc\n");
        InputFile checked = new InputFile("input1", file, "sha", "md5", Files.size(file), 1,
                Files.getLastModifiedTime(file).toMillis());
        boolean before = checked.unchangedOnDisk();

        // when: it is written again, same size, another time
        Files.writeString(file, "Col2\nabd\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(checked.modifiedMillis() + 5_000));

        // then
        assertThat(before).isTrue();
        assertThat(checked.unchangedOnDisk()).isFalse();
        assertThat(checked.changedSinceStart().problem()).isEqualTo("the file changed since this run started");
        assertThat(checked.changedSinceStart().file()).isEqualTo(file);
    }
}
