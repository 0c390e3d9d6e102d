package dev.thaw.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackgroundThreadsTest {

    @Test
    void backgroundThreadsAndThePoolsTheyStartRunAtTheLowerPriority() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/thread-self/stat")), "Linux per-thread stats");
        CompletableFuture<int[]> nices = new CompletableFuture<>();
        ExecutorService background = Executors.newSingleThreadExecutor(BackgroundThreads.factory("test-background-"));
        try {
            background.execute(() -> {
                try {
                    int own = currentNice();
                    // A pool created by a background thread, as a publication creates its compression threads.
                    CompletableFuture<Integer> child = new CompletableFuture<>();
                    Thread.ofPlatform().start(() -> {
                        try {
                            child.complete(currentNice());
                        } catch (IOException e) {
                            child.completeExceptionally(e);
                        }
                    });
                    nices.complete(new int[] {own, child.get(30, TimeUnit.SECONDS)});
                } catch (Exception e) {
                    nices.completeExceptionally(e);
                }
            });
            int[] seen = nices.get(30, TimeUnit.SECONDS);
            assertThat(seen[0]).isEqualTo(BackgroundThreads.NICE);
            assertThat(seen[1]).isEqualTo(BackgroundThreads.NICE);
            assertThat(currentNice()).isLessThan(BackgroundThreads.NICE);
        } finally {
            background.shutdownNow();
        }
    }

    /** The calling thread's nice value: field 19 of its {@code stat}, the 17th after the command's ')'. */
    private static int currentNice() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
