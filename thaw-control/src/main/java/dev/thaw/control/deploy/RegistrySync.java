package dev.thaw.control.deploy;

import dev.thaw.control.registry.DurableRegistry;
import dev.thaw.control.registry.RegistryContents;
import dev.thaw.control.registry.RegistryProblem;
import dev.thaw.control.registry.StoredFunction;
import dev.thaw.snapshot.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps this gateway's {@link FunctionRegistry} in step with a registry other gateways write too: every
 * {@code period} it reads what changed since the generations it has (a listing, plus the records that moved),
 * and a call that names a function it does not know reads again before it is answered 404, so a function
 * deployed through another gateway is served at once. Reads never overlap, and a miss that arrives while one runs
 * waits for the next rather than starting its own, so a flood of calls to unknown names costs one listing at a
 * time. Warm calls of known functions never read the store.
 */
public final class RegistrySync {
    private static final Logger LOG = System.getLogger(RegistrySync.class.getName());
    /** How often a gateway reads what other gateways wrote. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(2);

    private final DurableRegistry durable;
    private final FunctionRegistry registry;
    private final Deployer deployer;
    /** How many reads have begun; written under {@code this}. */
    private volatile long started;
    private String lastFailure;

    public RegistrySync(DurableRegistry durable, FunctionRegistry registry, Deployer deployer) {
        this.durable = Objects.requireNonNull(durable, "durable");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.deployer = Objects.requireNonNull(deployer, "deployer");
    }

    /** Refreshes every {@code period} on {@code timer}, whose owner stops it. */
    public void schedule(ScheduledExecutorService timer, Duration period) {
        timer.scheduleWithFixedDelay(this::refreshQuietly, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    // A periodic task that throws is never run again.
    private void refreshQuietly() {
        try {
            refresh();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reading the shared function registry failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads what other gateways wrote and takes it in; returns how many functions changed. A store that cannot be
     * read changes nothing (logged once per distinct failure).
     */
    public synchronized int refresh() throws InterruptedException {
        if (registry.unavailable().isPresent()) {
            return 0; // the loader has not read the registry once yet; it owns that
        }
        started++;
        RegistryContents contents;
        try {
            contents = durable.changedSince(registry.generations());
        } catch (StoreException | RuntimeException e) {
            if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                lastFailure = String.valueOf(e.getMessage());
                LOG.log(Level.WARNING, "cannot read the function registry in " + durable.describe() + " ("
                        + e.getMessage() + "); this gateway serves what it knows and reads again later");
            }
            return 0;
        }
        lastFailure = null;
        return apply(contents, null);
    }

    /**
     * Called when a request names a function this gateway does not know: reads the registry unless a read began
     * after this call did (that one saw the store as it is now or later). True when {@code name} is known
     * afterwards.
     */
    public boolean reloadOnMiss(String name) throws InterruptedException {
        long asked = started;
        synchronized (this) {
            if (registry.find(name).isEmpty() && started == asked) {
                refresh();
            }
            return registry.find(name).isPresent();
        }
    }

    /**
     * Reads {@code name}'s latest record and takes it in, for a write that lost the race to another gateway.
     * Runs in the caller's thread (which may hold {@code name}'s deploy lock), outside the refresh's monitor.
     */
    public void catchUp(String name) throws StoreException, InterruptedException {
        apply(durable.changedSince(registry.generations()), name);
    }

    private int apply(RegistryContents contents, String only) throws InterruptedException {
        Map<String, Long> known = registry.generations();
        Map<String, StoredFunction> functions = contents.functions().stream()
                .collect(Collectors.toMap(f -> f.function().name(), Function.identity(), (a, b) -> a));
        Map<String, RegistryProblem> problems = contents.problems().stream()
                .filter(p -> contents.generations().containsKey(p.function()))
                .collect(Collectors.toMap(RegistryProblem::function, Function.identity(), (a, b) -> a));
        int changed = 0;
        for (Map.Entry<String, Long> e : contents.generations().entrySet()) {
            String name = e.getKey();
            long generation = e.getValue();
            if ((only != null && !only.equals(name)) || generation <= known.getOrDefault(name, 0L)) {
                continue;
            }
            StoredFunction stored = functions.get(name);
            RegistryProblem problem = problems.get(name);
            boolean took = stored != null ? deployer.learn(stored) : deployer.learnDeletion(name, generation);
            if (problem != null) {
                registry.problem(name, problem);
            }
            changed += took || problem != null ? 1 : 0;
        }
        return changed;
    }
}
