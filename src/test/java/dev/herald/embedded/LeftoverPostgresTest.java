package dev.herald.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a live postgres named by postmaster.pid is taken for a leftover server; anything else is left alone. */
class LeftoverPostgresTest {

    @Test
    void noPidFileMeansNoLeftover(@TempDir Path dataDir) throws IOException {
        assertThat(LeftoverPostgres.runningServer(dataDir)).isEmpty();
    }

    @Test
    void aPidFileNamingAnotherProgramIsNotAServerToStop(@TempDir Path dataDir) throws IOException {
        // this JVM is alive, but it is not a postgres: a reused pid must never be signalled
        Files.writeString(dataDir.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + dataDir + "\n");
        assertThat(LeftoverPostgres.runningServer(dataDir)).isEmpty();
        LeftoverPostgres.stopIfAny(dataDir);
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aGarbledOrStalePidFileIsLeftToPostgres(@TempDir Path dataDir) throws IOException {
        Files.writeString(dataDir.resolve("postmaster.pid"), "not a pid\n");
        assertThat(LeftoverPostgres.runningServer(dataDir)).isEmpty();
        Files.writeString(dataDir.resolve("postmaster.pid"), Long.MAX_VALUE + "\n");
        assertThat(LeftoverPostgres.runningServer(dataDir)).isEmpty();
    }
}
