package dev.thaw.bench.load;

import dev.thaw.control.GatewayClient;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Plays a workload open-loop: each arrival is sent at its time on its own virtual thread, whether or not
 * earlier ones have answered, up to {@code maxInFlight} at once. Every arrival ends as exactly one record.
 */
public final class LoadRunner {
    /** Long error bodies are cut so that records stay one readable line. */
    private static final int ERROR_CHARS = 300;

    private final Pacer pacer;

    /** A runner on the machine's clock. */
    public LoadRunner() {
        this(Pacer.SYSTEM);
    }

    /** A runner that sends arrivals, and times calls, by {@code pacer}. */
    public LoadRunner(Pacer pacer) {
        this.pacer = pacer;
    }

    public List<InvocationRecord> run(Invoker invoker, Workload workload, Function<String, RequestBody> bodies,
            int maxInFlight, ProgressListener progress) throws InterruptedException {
        if (maxInFlight <= 0) {
            throw new IllegalArgumentException("maxInFlight must be > 0, got " + maxInFlight);
        }
        List<Arrival> arrivals = workload.arrivals();
        InvocationRecord[] records = new InvocationRecord[arrivals.size()];
        Semaphore slots = new Semaphore(maxInFlight);
        long start = pacer.nanoTime();
        Counts counts = new Counts(arrivals.size(), workload.durationSeconds(), progress, start, pacer);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < arrivals.size(); i++) {
                Arrival arrival = arrivals.get(i);
                long due = start + (long) (arrival.atSeconds() * 1e9);
                pacer.sleepUntil(due);
                slots.acquire();
                long sent = pacer.nanoTime();
                double lateMs = Math.max(0, sent - due) / 1e6;
                counts.sent();
                int index = i;
                threads.execute(() -> {
                    try {
                        records[index] = call(invoker, arrival.function(), bodies, (sent - start) / 1_000_000,
                                lateMs);
                    } finally {
                        slots.release();
                        counts.done(records[index]);
                    }
                });
            }
        } // closing the executor waits for every invocation
        progress.finished();
        return Arrays.asList(records);
    }

    private InvocationRecord call(Invoker invoker, String function, Function<String, RequestBody> bodies,
            long sentAtMs, double lateMs) {
        long begin = pacer.nanoTime();
        try {
            GatewayClient.Answer answer = invoker.invoke(function, bodies.apply(function));
            double e2eMs = (pacer.nanoTime() - begin) / 1e6;
            int status = answer.status();
            String error = status >= 200 && status < 300 ? "" : "HTTP " + status + errorText(answer);
            return new InvocationRecord(sentAtMs, function, status, answer.header("X-Thaw-Start"),
                    answer.header("X-Thaw-Node"), ms(answer, "X-Thaw-Init-Ms"), ms(answer, "X-Thaw-Queue-Ms"),
                    ms(answer, "X-Thaw-Schedule-Ms"), ms(answer, "X-Thaw-Fetch-Ms"), ms(answer, "X-Thaw-Vm-Ms"),
                    ms(answer, "X-Thaw-Guest-Ms"), e2eMs, error, lateMs, bytes(answer, "X-Thaw-Fetch-Bytes"),
                    FailureClass.ofAnswer(status, answer.body()));
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            double e2eMs = (pacer.nanoTime() - begin) / 1e6;
            String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new InvocationRecord(sentAtMs, function, 0, null, null, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, e2eMs, oneLine(message), lateMs, 0, FailureClass.ofException(e));
        }
    }

    private static long bytes(GatewayClient.Answer answer, String header) {
        String value = answer.header(header);
        try {
            return value == null ? 0 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String errorText(GatewayClient.Answer answer) {
        String text = answer.body() == null ? "" : oneLine(answer.text());
        return text.isEmpty() ? "" : ": " + text;
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > ERROR_CHARS ? line.substring(0, ERROR_CHARS) + "..." : line;
    }

    private static double ms(GatewayClient.Answer answer, String header) {
        String value = answer.header(header);
        if (value == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Progress counters shared by the scheduler and the invocation threads. */
    private static final class Counts {
        private final int total;
        private final double durationSeconds;
        private final ProgressListener progress;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final long start;
        private final Pacer pacer;

        Counts(int total, double durationSeconds, ProgressListener progress, long start, Pacer pacer) {
            this.start = start;
            this.pacer = pacer;
            this.total = total;
            this.durationSeconds = durationSeconds;
            this.progress = progress;
        }

        void sent() {
            sent.incrementAndGet();
            report();
        }

        void done(InvocationRecord record) {
            if (record == null || !record.ok()) {
                failed.incrementAndGet();
            }
            done.incrementAndGet();
            report();
        }

        private void report() {
            double left = durationSeconds - (pacer.nanoTime() - start) / 1e9;
            progress.update(total, sent.get(), done.get(), failed.get(), Math.max(0, left));
        }
    }
}
