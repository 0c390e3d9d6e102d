package dev.thaw.control.deploy;

import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.registry.DurableRegistry;
import dev.thaw.snapshot.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Loads the durable registry into the gateway's {@link FunctionRegistry} when the gateway
 * starts. A store that cannot be read is said so in the log and in every 503 the API answers
 * meanwhile, and tried again with a growing pause, never taken for an empty registry.
 */
public final class RegistryLoader {
    private static final Logger LOG = System.getLogger(RegistryLoader.class.getName());
    static final Duration FIRST_RETRY = Duration.ofMillis(250);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);

    private final DurableRegistry durable;
    private final FunctionRegistry registry;
    private final ScheduledExecutorService timer;
    private final Consumer<RegistryContents> onLoaded;
    private String lastFailure;

    public RegistryLoader(DurableRegistry durable, FunctionRegistry registry, ScheduledExecutorService timer,
            Consumer<RegistryContents> onLoaded) {
        this.durable = durable;
        this.registry = registry;
        this.timer = timer;
        this.onLoaded = onLoaded;
    }

    /**
     * Makes the first attempt in the calling thread, so a gateway whose store answers serves
     * its functions from its first request; a failed attempt is retried on the timer.
     */
    public void start() {
        attempt(FIRST_RETRY);
    }

    private void attempt(Duration pause) {
        long start = System.nanoTime();
        RegistryContents contents;
        try {
            contents = durable.load();
        } catch (StoreException | RuntimeException e) {
            String reason = "the function registry in " + durable.describe() + " cannot be read (" + e.getMessage()
                    + "); the gateway serves no function until it can, and retries every " + pause.toMillis()
                    + " ms or more";
            registry.unavailable(reason);
            if (!e.getMessage().equals(lastFailure)) {
                LOG.log(Level.WARNING, reason);
                lastFailure = e.getMessage();
            }
            Duration next = pause.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : pause.multipliedBy(2);
            if (!timer.isShutdown()) {
                timer.schedule(() -> attempt(next), pause.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        registry.loaded(contents);
        LOG.log(Level.INFO, "loaded " + contents.functions().size() + " function(s) from " + durable.describe() + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms" + (contents.problems().isEmpty() ? ""
                : "; " + contents.problems().size() + " record(s) have problems, see GET /v1/status"));
        onLoaded.accept(contents);
    }
}
