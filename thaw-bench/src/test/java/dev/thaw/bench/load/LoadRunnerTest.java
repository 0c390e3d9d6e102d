package dev.thaw.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.control.GatewayClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
    private static final GatewayClient.Answer WARM = new GatewayClient.Answer(200,
            Map.of("x-thaw-start", List.of("clone"), "X-Thaw-Node", List.of("n1"), "X-Thaw-Init-Ms", List.of("12.5"),
                    "X-Thaw-Vm-Ms", List.of("3")),
            "ok".getBytes(StandardCharsets.UTF_8));

    /** A pacer whose time moves only when the runner waits for an arrival or a call says it took a while. */
    private static final class FakePacer implements Pacer {
        final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void sleepUntil(long due) {
            now.accumulateAndGet(due, Math::max);
        }

        void advanceMillis(long ms) {
            now.addAndGet(ms * 1_000_000L);
        }
    }

    @Test
    void recordsEveryArrivalAtItsTime() throws InterruptedException {
        List<Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            arrivals.add(new Arrival(i * 0.01, "f" + i % 3));
        }
        FakePacer pacer = new FakePacer();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        long start = pacer.nanoTime();
        List<InvocationRecord> records = new LoadRunner(pacer).run((function, body) -> {
            sentAt.merge(new String(body.bytes(), StandardCharsets.UTF_8), pacer.nanoTime() - start, Math::min);
            return WARM;
        }, new Workload(arrivals, 0.4, "test"), f -> RequestBody.text(f, "test"), 100, ProgressListener.NONE);

        assertThat(records).hasSize(40).allSatisfy(r -> {
            assertThat(r.ok()).isTrue();
            assertThat(r.start()).isEqualTo("clone");
            assertThat(r.node()).isEqualTo("n1");
            assertThat(r.initMs()).isEqualTo(12.5);
            assertThat(r.vmMs()).isEqualTo(3);
            assertThat(r.queueMs()).isNaN();
            assertThat(r.lateMs()).isZero();
        });
        for (int i = 0; i < 40; i++) {
            assertThat(records.get(i).function()).isEqualTo("f" + i % 3);
            assertThat(records.get(i).sentAtMs()).isEqualTo(i * 10L);
        }
        // Each call carried its own arrival's body. (When the invoker's thread ran is up to the machine; when each
        // arrival was sent is exact above.)
        assertThat(sentAt).containsOnlyKeys("f0", "f1", "f2");
        assertThat(records.getLast().sentAtMs()).isEqualTo(390);
    }

    @Test
    void theEndToEndTimeIsTheCallsDuration() throws InterruptedException {
        FakePacer pacer = new FakePacer();
        List<InvocationRecord> records = new LoadRunner(pacer).run((function, body) -> {
            pacer.advanceMillis(20); // the call takes 20 ms
            return WARM;
        }, new Workload(List.of(new Arrival(0, "f")), 0, "one"), f -> RequestBody.empty("test"), 1,
                ProgressListener.NONE);
        assertThat(records).singleElement().satisfies(r -> assertThat(r.e2eMs()).isEqualTo(20.0));
    }

    @Test
    void errorsAndExceptionsBecomeRecords() throws InterruptedException {
        Workload workload = new Workload(List.of(new Arrival(0, "ok"), new Arrival(0, "bad"), new Arrival(0, "boom")),
                0, "errors");
        List<InvocationRecord> records = new LoadRunner().run((function, body) -> switch (function) {
            case "bad" -> new GatewayClient.Answer(503, Map.of(), "no capacity,\nsorry".getBytes(StandardCharsets.UTF_8));
            case "boom" -> throw new IOException("connection refused");
            default -> WARM;
        }, workload, f -> RequestBody.empty("test"), 2, ProgressListener.NONE);

        assertThat(records).extracting(InvocationRecord::function).containsExactly("ok", "bad", "boom");
        assertThat(records.get(0).ok()).isTrue();
        assertThat(records.get(1).status()).isEqualTo(503);
        assertThat(records.get(1).error()).isEqualTo("HTTP 503: no capacity, sorry");
        assertThat(records.get(1).start()).isEqualTo("-");
        assertThat(records.get(2).status()).isZero();
        assertThat(records.get(2).error()).isEqualTo("IOException: connection refused");
    }

    @Test
    void neverMoreThanMaxInFlightAndLatenessIsRecorded() throws InterruptedException {
        List<Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            arrivals.add(new Arrival(0, "f"));
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        FakePacer pacer = new FakePacer();
        // Calls go in rounds of three that each take 30 ms: a round ends when all three are in flight.
        CyclicBarrier round = new CyclicBarrier(3, () -> pacer.advanceMillis(30));
        List<InvocationRecord> records = new LoadRunner(pacer).run((function, body) -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                round.await(30, TimeUnit.SECONDS);
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("a round of calls did not fill", e);
            }
            inFlight.decrementAndGet();
            return WARM;
        }, new Workload(arrivals, 0, "burst"), f -> RequestBody.empty("test"), 3, ProgressListener.NONE);

        assertThat(records).hasSize(12).allSatisfy(r -> assertThat(r.ok()).isTrue());
        assertThat(most.get()).isEqualTo(3);
        // The last three waited for three rounds of 30 ms before a slot was free.
        assertThat(records.getLast().lateMs()).isGreaterThanOrEqualTo(85);
        assertThat(records.getFirst().lateMs()).isLessThan(85);
    }

    @Test
    void progressSeesEverySendAndAnswer() throws InterruptedException {
        AtomicInteger finished = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        AtomicInteger lastFailed = new AtomicInteger();
        ProgressListener listener = new ProgressListener() {
            @Override
            public synchronized void update(int total, int sent, int done, int failed, double secondsLeft) {
                lastDone.accumulateAndGet(done, Math::max);
                lastFailed.accumulateAndGet(failed, Math::max);
            }

            @Override
            public void finished() {
                finished.incrementAndGet();
            }
        };
        new LoadRunner().run((function, body) -> function.equals("x") ? WARM
                : new GatewayClient.Answer(500, Map.of(), new byte[0]),
                new Workload(List.of(new Arrival(0, "x"), new Arrival(0, "y")), 0, ""), f -> RequestBody.empty("test"), 4, listener);
        assertThat(lastDone.get()).isEqualTo(2);
        assertThat(lastFailed.get()).isEqualTo(1);
        assertThat(finished.get()).isEqualTo(1);
    }

    @Test
    void consoleProgressIsThrottledAndEndsWithANewline() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        ConsoleProgress progress = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);
        progress.update(400, 123, 120, 2, 42);
        now.addAndGet(50_000_000);
        progress.update(400, 124, 120, 2, 41.9); // within 200 ms: not shown
        now.addAndGet(200_000_000);
        progress.update(400, 125, 121, 2, 41.7);
        now.addAndGet(1_000_000);
        progress.update(400, 400, 400, 3, 0); // the last answer always shows
        progress.finished();

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out.split("\r", -1)).hasSize(4);
        assertThat(out).contains("123/400 sent, 120 done, 2 failed, 0:42 left").doesNotContain("124/400")
                .contains("125/400").endsWith("400/400 sent, 400 done, 3 failed, 0:00 left\n");
        assertThat(ConsoleProgress.line(400, 200, 200, 0, 61)).startsWith("[" + "#".repeat(15) + ".".repeat(15) + "]")
                .endsWith("1:01 left");
    }
}
