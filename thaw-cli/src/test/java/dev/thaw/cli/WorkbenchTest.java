package dev.thaw.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.sandbox.image.ThawHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkbenchTest {

    @Test
    void aScratchDirectorySurvivesTheStaleSweepOfProcessesStartedAfterItAndGoesOnClose(@TempDir Path dir)
            throws Exception {
        ThawHome home = new ThawHome(dir);
        Path scratch;
        try (Workbench bench = new Workbench(home)) {
            scratch = bench.scratch("demo-cluster");
            Files.createDirectories(scratch.resolve("s3"));
            // As a node process started later sees it: older than itself. The sweep must go by owner, not age.
            Files.setLastModifiedTime(scratch, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));

            home.deleteStaleTemp();

            assertThat(scratch.resolve("s3")).as("a running command's cluster data").isDirectory();
        }
        assertThat(scratch).doesNotExist();
    }
}
