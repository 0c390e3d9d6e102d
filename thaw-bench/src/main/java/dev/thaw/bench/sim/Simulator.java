package dev.thaw.bench.sim;

import dev.thaw.bench.report.NearestRank;
import dev.thaw.control.scheduling.NodeCandidate;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.control.scheduling.Scoring;
import dev.thaw.control.scheduling.StartCostModel;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Replays a trace against a simulated Thaw cluster under one policy combination. Invocations of a minute are spread
 * uniformly within it (seeded); each is served warm by an idle instance of its function, or started on the node the
 * placement picks, at the cost of its tier there. Instances stay warm as the keep-alive policy says, node caches
 * evict as the eviction policy says, and node memory and slots bound what runs. Single-threaded and allocation-free
 * per invocation, so a run is deterministic for a seed.
 */
public final class Simulator {
    private static final int EXPIRE = 0;
    private static final int PREWARM = 1;
    private static final int PREFETCH = 2;
    private static final int FUNCTION_BITS = 21;

    private final SimTrace trace;
    private final ClusterConfig cluster;
    private final StartCosts costs;
    private final long seed;
    private final double fixedKeepAliveMs;
    private final double concurrentKeepAliveMs;
    private final int scaleOutPeakMinutes;
    private final double burstShare;
    private final double coldStartGibS;

    public Simulator(SimTrace trace, ClusterConfig cluster, StartCosts costs, long seed, double fixedKeepAliveMs) {
        this(trace, cluster, costs, seed, fixedKeepAliveMs, 2 * fixedKeepAliveMs);
    }

    /** {@code concurrentKeepAliveMs}: how long the hybrid policy keeps idle instances of functions that scale out. */
    public Simulator(SimTrace trace, ClusterConfig cluster, StartCosts costs, long seed, double fixedKeepAliveMs,
            double concurrentKeepAliveMs) {
        this(trace, cluster, costs, seed, fixedKeepAliveMs, concurrentKeepAliveMs, 0);
    }

    /**
     * @param concurrentKeepAliveMs how long, at most, the hybrid policy keeps idle instances of functions that
     *     scale out
     * @param scaleOutPeakMinutes when positive, such an instance stays past the fixed keep-alive only while its
     *     function has no more instances than its peak concurrency of the last this many minutes
     */
    public Simulator(SimTrace trace, ClusterConfig cluster, StartCosts costs, long seed, double fixedKeepAliveMs,
            double concurrentKeepAliveMs, int scaleOutPeakMinutes) {
        this(trace, cluster, costs, seed, fixedKeepAliveMs, concurrentKeepAliveMs, scaleOutPeakMinutes, 0);
    }

    /**
     * @param burstShare under the hybrid policy, when an invocation finds its function without any instance, also
     *     pre-warm instances up to this share of the most it had live in its previous busy period (0: none)
     */
    public Simulator(SimTrace trace, ClusterConfig cluster, StartCosts costs, long seed, double fixedKeepAliveMs,
            double concurrentKeepAliveMs, int scaleOutPeakMinutes, double burstShare) {
        this(trace, cluster, costs, seed, fixedKeepAliveMs, concurrentKeepAliveMs, scaleOutPeakMinutes, burstShare, 0);
    }

    /**
     * @param coldStartGibS under the hybrid policy, the memory x time (GiB-s) one avoided cold start is worth: an
     *     instance is kept, or pre-warmed, only for idle times in which it avoids cold starts for less (0: the
     *     paper's 5th-99th percentile window)
     */
    public Simulator(SimTrace trace, ClusterConfig cluster, StartCosts costs, long seed, double fixedKeepAliveMs,
            double concurrentKeepAliveMs, int scaleOutPeakMinutes, double burstShare, double coldStartGibS) {
        if (!(coldStartGibS >= 0) || Double.isInfinite(coldStartGibS)) {
            throw new IllegalArgumentException("the worth of a cold start must be a finite number >= 0 GiB-s, got "
                    + coldStartGibS);
        }
        this.coldStartGibS = coldStartGibS;
        if (!(burstShare >= 0 && burstShare <= 1)) {
            throw new IllegalArgumentException("the burst pre-warm share must be in 0..1, got " + burstShare);
        }
        this.burstShare = burstShare;
        if (trace.functions().size() >= 1 << FUNCTION_BITS) {
            throw new IllegalArgumentException("at most " + ((1 << FUNCTION_BITS) - 1) + " functions");
        }
        this.trace = trace;
        this.cluster = cluster;
        this.costs = costs;
        this.seed = seed;
        this.fixedKeepAliveMs = fixedKeepAliveMs;
        this.concurrentKeepAliveMs = concurrentKeepAliveMs;
        this.scaleOutPeakMinutes = scaleOutPeakMinutes;
    }

    /** Told how far a run is, in invocations. */
    public interface Progress {
        Progress NONE = (done, total) -> {
        };

        void update(long done, long total);
    }

    public SimResult run(Combination combination, Progress progress) {
        return run(combination, progress, null);
    }

    /** Runs the combination; {@code accesses}, if given, receives each node's snapshot lookups for replays. */
    public SimResult run(Combination combination, Progress progress, AccessLog accesses) {
        Policies.check(combination);
        return new Run(combination, accesses).play(progress);
    }

    /** Snapshot lookups per node, in order, for replaying eviction policies on the same streams. */
    public static final class AccessLog {
        final int[][] keys;
        final int[] sizes;

        AccessLog(int nodes) {
            keys = new int[nodes][];
            sizes = new int[nodes];
            Arrays.fill(keys, new int[0]);
        }

        public AccessLog(ClusterConfig cluster) {
            this(cluster.nodes());
        }

        void add(int node, int key) {
            if (sizes[node] == keys[node].length) {
                keys[node] = Arrays.copyOf(keys[node], Math.max(16, sizes[node] * 2));
            }
            keys[node][sizes[node]++] = key;
        }

        public int[] sequence(int node) {
            return Arrays.copyOf(keys[node], sizes[node]);
        }

        public int nodes() {
            return keys.length;
        }
    }

    private final class Run {
        private final Combination combination;
        private final AccessLog accesses;
        private final int functions = trace.functions().size();
        private final int nodes = cluster.nodes();
        private final int[] memoryMib = new int[functions];
        private final double[] durationMs = new double[functions];
        private final long[] snapshotBytes = new long[functions];
        private final long[] fetchBytes = new long[functions];
        private final double[] remoteMs = new double[functions];
        private final CachePolicy[] caches = new CachePolicy[nodes];
        private final KeepAlivePolicy keepAlive;
        private final SchedulerPolicy placement;
        private final StartCostModel costModel;
        private final boolean prefetch;
        private final IdleHistogram idle = new IdleHistogram(functions);
        private final String[] nodeNames = new String[nodes];

        private final long[] nodeMemoryUsed = new long[nodes];
        private final int[] nodeInstances = new int[nodes];
        private final int[][] nodeMembers = new int[nodes][16];
        private final int[] nodeMemberCount = new int[nodes];
        private final int[] runningOn;

        private final double[] lastEnd = new double[functions];
        private final boolean[] invoked = new boolean[functions];
        private final boolean[] booted = new boolean[functions];
        private final int[] planGeneration = new int[functions];
        private final double[] prewarmUntil = new double[functions];
        /** The end of the execution whose idle period a pre-warm was planned for (NaN: none yet). */
        private final double[] prewarmedAfter = new double[functions];
        private final FunctionPool[] pools = new FunctionPool[functions];
        /** Most live instances of each function since its pool was last empty, and in the busy period before. */
        private final int[] burstPeak = new int[functions];
        private final int[] lastBurstPeak = new int[functions];

        private int[] instanceFunction = new int[1024];
        private int[] instanceNode = new int[1024];
        private int[] instanceGeneration = new int[1024];
        private double[] instanceCreated = new double[1024];
        private double[] freeAt = new double[1024];
        private double[] lastUsed = new double[1024];
        private boolean[] alive = new boolean[1024];
        private int[] freeIds = new int[1024];
        private int freeIdCount;
        private int nextId;

        private final EventQueue events = new EventQueue();
        private final long[] tiers = new long[Tier.values().length];
        private final long[] prewarmTiers = new long[Tier.values().length];
        private double[] coldInit = new double[1024];
        private int coldCount;
        private double initSum;
        private double memoryMibMs;
        private long bytesFetched;
        private long prefetchedBytes;
        private long rejected;
        private long lookupBytes;
        private long missBytes;

        Run(Combination combination, AccessLog accesses) {
            this.combination = combination;
            this.accesses = accesses;
            for (int f = 0; f < functions; f++) {
                SimFunction fn = trace.functions().get(f);
                memoryMib[f] = fn.memoryMib();
                durationMs[f] = fn.durationMs();
                snapshotBytes[f] = fn.snapshotBytes();
                fetchBytes[f] = fn.fetchBytes();
                remoteMs[f] = costs.remoteMs(fn.fetchBytes());
                pools[f] = new FunctionPool();
                prewarmedAfter[f] = Double.NaN;
            }
            for (int n = 0; n < nodes; n++) {
                caches[n] = Policies.cache(combination.eviction(), functions, cluster.cacheBytes(), null);
                nodeNames[n] = String.format(java.util.Locale.ROOT, "node-%05d", n);
            }
            runningOn = new int[functions * nodes];
            keepAlive = Policies.keepAlive(combination.keepAlive(), trace, costs, idle, fixedKeepAliveMs,
                    concurrentKeepAliveMs, scaleOutPeakMinutes, burstShare, coldStartGibS);
            placement = Policies.placement(combination.placement());
            costModel = new StartCostModel(costs.localMs(), costs.restoreMs(), costs.bandwidthMibPerS(),
                    costs.localMs(), 0);
            prefetch = combination.prefetch().equals("histogram");
        }

        SimResult play(Progress progress) {
            long start = System.nanoTime();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            SplittableRandom random = new SplittableRandom(seed);
            long total = trace.invocations();
            long done = 0;
            long[] minute = new long[1024];
            for (int m = 0; m < trace.minutes(); m++) {
                int n = 0;
                long base = m * 60_000_000L;
                for (int f = 0; f < functions; f++) {
                    int[] row = trace.counts()[f];
                    int count = m < row.length ? row[m] : 0;
                    if (count == 0) {
                        continue;
                    }
                    if (n + count > minute.length) {
                        minute = Arrays.copyOf(minute, Math.max(minute.length * 2, n + count));
                    }
                    for (int i = 0; i < count; i++) {
                        long micros = base + random.nextLong(60_000_000L);
                        minute[n++] = micros << FUNCTION_BITS | f;
                    }
                }
                Arrays.sort(minute, 0, n);
                for (int i = 0; i < n; i++) {
                    long packed = minute[i];
                    arrive((int) (packed & ((1 << FUNCTION_BITS) - 1)), (packed >>> FUNCTION_BITS) / 1000.0);
                }
                done += n;
                progress.update(done, total);
            }
            double end = trace.minutes() * 60_000.0;
            advance(end);
            for (int id = 0; id < nextId; id++) {
                if (alive[id]) {
                    memoryMibMs += (end - instanceCreated[id]) * memoryMib[instanceFunction[id]];
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpuEnd = threads.getCurrentThreadCpuTime();
            return result(total, seconds, cpuStart < 0 || cpuEnd < 0 ? Double.NaN : (cpuEnd - cpuStart) / 1e9);
        }

        private SimResult result(long invocations, double seconds, double cpuSeconds) {
            Map<Tier, Long> byTier = new EnumMap<>(Tier.class);
            Map<Tier, Long> prewarmed = new EnumMap<>(Tier.class);
            long cold = 0;
            for (Tier t : Tier.values()) {
                byTier.put(t, tiers[t.ordinal()]);
                prewarmed.put(t, prewarmTiers[t.ordinal()]);
                cold += t == Tier.WARM ? 0 : tiers[t.ordinal()];
            }
            double[] sorted = Arrays.copyOf(coldInit, coldCount);
            Arrays.sort(sorted);
            long served = invocations - rejected;
            return new SimResult(combination.name(), invocations, cold, byTier, prewarmed, rejected,
                    coldCount == 0 ? 0 : initSum / coldCount, coldCount == 0 ? 0 : NearestRank.of(sorted, 0.99),
                    served == 0 ? 0 : initSum / served, memoryMibMs / 1024 / 1000, bytesFetched, prefetchedBytes,
                    lookupBytes == 0 ? Double.NaN : (double) missBytes / lookupBytes, invocations, seconds,
                    cpuSeconds);
        }

        private void advance(double now) {
            while (events.peekTime() <= now) {
                double at = events.peekTime();
                int kind = events.peekKind();
                int subject = events.peekSubject();
                int generation = events.peekGeneration();
                events.pop();
                switch (kind) {
                    case EXPIRE -> expire(subject, generation, at);
                    case PREWARM -> prewarm(subject, generation, at);
                    default -> prefetchSnapshot(subject, generation, at);
                }
            }
        }

        private void arrive(int f, double now) {
            advance(now);
            if (invoked[f] && now > lastEnd[f]) {
                idle.record(f, now - lastEnd[f]);
            } else if (invoked[f]) {
                idle.overlap(f);
            }
            invoked[f] = true;
            keepAlive.record(f, now);
            planGeneration[f]++;
            FunctionPool pool = pools[f];
            pool.settle(now, freeAt);
            keepAlive.running(f, now, pool.busy() + 1);
            int id = pool.takeIdle();
            if (id >= 0) {
                tiers[Tier.WARM.ordinal()]++;
                serve(id, now, 0);
                return;
            }
            boolean burstStarts = pool.size() == 0;
            int node = place(f, now);
            if (node < 0) {
                rejected++;
                return;
            }
            Tier tier;
            if (!booted[f]) {
                // The first start boots and snapshots; the node caches the new snapshot without a fetch.
                booted[f] = true;
                tier = Tier.BOOT;
                caches[node].prefetch(f, snapshotBytes[f], remoteMs[f] - costs.localMs());
            } else if (runningOn[f * nodes + node] > 0) {
                tier = Tier.CLONE;
            } else {
                tier = lookup(node, f) ? Tier.LOCAL : Tier.REMOTE;
            }
            double init = initMs(tier, f);
            tiers[tier.ordinal()]++;
            if (coldCount == coldInit.length) {
                coldInit = Arrays.copyOf(coldInit, coldCount * 2);
            }
            coldInit[coldCount++] = init;
            initSum += init;
            id = create(f, node, now);
            serve(id, now, init);
            if (burstStarts) {
                int more = keepAlive.burstInstances(f, lastBurstPeak[f]);
                for (int i = 0; i < more && prewarmOne(f, now, -1); i++) {
                    // Each pre-warm is placed on its own: the burst may need more than one node.
                }
            }
            notePeak(f);
        }

        private void notePeak(int f) {
            burstPeak[f] = Math.max(burstPeak[f], pools[f].size());
        }

        private boolean lookup(int node, int f) {
            boolean hit = caches[node].record(f, snapshotBytes[f], remoteMs[f] - costs.localMs());
            if (accesses != null) {
                accesses.add(node, f);
            }
            lookupBytes += snapshotBytes[f];
            if (!hit) {
                missBytes += snapshotBytes[f];
                bytesFetched += fetchBytes[f];
            }
            return hit;
        }

        private double initMs(Tier tier, int f) {
            return switch (tier) {
                case WARM -> 0;
                case CLONE -> costs.cloneMs();
                case LOCAL -> costs.localMs();
                case REMOTE -> remoteMs[f];
                case BOOT -> costs.bootMs();
            };
        }

        /** Runs one invocation on instance {@code id} (not in its pool) and puts it back as busy. */
        private void serve(int id, double now, double init) {
            int f = instanceFunction[id];
            double free = now + init + durationMs[f];
            freeAt[id] = free;
            lastUsed[id] = now;
            lastEnd[f] = Math.max(lastEnd[f], free);
            pools[f].addBusy(id, freeAt);
            int generation = ++instanceGeneration[id];
            double keep = keepAlive.keepAliveMs(f, free);
            if (!Double.isInfinite(keep)) {
                events.push(free + Math.max(0, keep), EXPIRE, id, generation);
            }
        }

        private void expire(int id, int generation, double now) {
            if (!alive[id] || instanceGeneration[id] != generation) {
                return;
            }
            int f = instanceFunction[id];
            if (freeAt[id] <= now) {
                double more = keepAlive.extendMs(f, now, pools[f].size(), now - freeAt[id]);
                if (more > 0) {
                    events.push(now + more, EXPIRE, id, generation);
                    return;
                }
            }
            remove(id, now);
            if (pools[f].size() == 0) {
                endBurst(f);
                plan(f, now);
            }
        }

        private void endBurst(int f) {
            lastBurstPeak[f] = burstPeak[f];
            burstPeak[f] = 0;
        }

        /** After a function's last instance is gone: pre-warm and prefetch for its predicted next invocation. */
        private void plan(int f, double now) {
            int generation = ++planGeneration[f];
            KeepAlivePolicy.Window window = keepAlive.prewarm(f, lastEnd[f]);
            // Once per idle period (as in the gateway), and not after the window: the pre-warmed instance going
            // away empties the pool again.
            if (window != null && prewarmedAfter[f] != lastEnd[f] && now < lastEnd[f] + window.endMs()) {
                prewarmedAfter[f] = lastEnd[f];
                double at = Math.max(now, lastEnd[f] + window.startMs() - remoteMs[f]);
                prewarmUntil[f] = lastEnd[f] + window.endMs();
                events.push(at, PREWARM, f, generation);
            }
            if (prefetch && idle.samples(f) >= HybridHistogramKeepAlive.MIN_SAMPLES) {
                double next = idle.quantileMs(f, HybridHistogramKeepAlive.HEAD, false);
                // Fetch early enough that the snapshot is there when the invocation is predicted.
                events.push(Math.max(now, lastEnd[f] + next - 2 * remoteMs[f]), PREFETCH, f, generation);
            }
        }

        private void prewarm(int f, int generation, double now) {
            if (planGeneration[f] != generation || pools[f].size() > 0) {
                return;
            }
            prewarmOne(f, now, prewarmUntil[f]);
            notePeak(f);
        }

        /**
         * Starts an instance no invocation waits for, kept idle until {@code until}, or for its keep-alive once
         * ready if {@code until} is negative; false when no node has room.
         */
        private boolean prewarmOne(int f, double now, double until) {
            int node = place(f, now);
            if (node < 0) {
                return false;
            }
            Tier tier = runningOn[f * nodes + node] > 0 ? Tier.CLONE : lookup(node, f) ? Tier.LOCAL : Tier.REMOTE;
            prewarmTiers[tier.ordinal()]++;
            int id = create(f, node, now);
            double ready = now + initMs(tier, f);
            freeAt[id] = ready;
            lastUsed[id] = now;
            pools[f].addBusy(id, freeAt);
            int g = ++instanceGeneration[id];
            double expiry = until >= 0 ? Math.max(ready, until) : ready + Math.max(0, keepAlive.keepAliveMs(f, ready));
            events.push(expiry, EXPIRE, id, g);
            return true;
        }

        private void prefetchSnapshot(int f, int generation, double now) {
            if (planGeneration[f] != generation || pools[f].size() > 0) {
                return;
            }
            int node = place(f, now);
            if (node < 0 || caches[node].contains(f)) {
                return;
            }
            if (caches[node].prefetch(f, snapshotBytes[f], remoteMs[f] - costs.localMs())) {
                bytesFetched += fetchBytes[f];
                prefetchedBytes += fetchBytes[f];
            }
        }

        /** The node the placement policy picks among those with room (idle instances may make room); -1 if none. */
        private int place(int f, double now) {
            int best = -1;
            int bestScore = Integer.MIN_VALUE;
            long need = memoryMib[f];
            for (int n = 0; n < nodes; n++) {
                long memoryFree = cluster.memoryMib() - nodeMemoryUsed[n];
                int slotsFree = cluster.slots() - nodeInstances[n];
                if ((memoryFree < need || slotsFree < 1) && !reclaimable(n, need, now)) {
                    continue;
                }
                boolean holds = caches[n].contains(f) || runningOn[f * nodes + n] > 0;
                NodeCandidate candidate = new NodeCandidate(nodeNames[n], Math.max(0, memoryFree),
                        cluster.memoryMib(), Math.max(0, slotsFree), cluster.slots(), holds, fetchBytes[f]);
                int score = Scoring.score(placement, candidate, costModel);
                if (score > bestScore) {
                    bestScore = score;
                    best = n;
                }
            }
            if (best >= 0) {
                makeRoom(best, need, now);
            }
            return best;
        }

        /** Whether evicting idle instances would give node {@code n} the memory and a slot. */
        private boolean reclaimable(int n, long need, double now) {
            long memoryFree = cluster.memoryMib() - nodeMemoryUsed[n];
            int slotsFree = cluster.slots() - nodeInstances[n];
            for (int i = 0; i < nodeMemberCount[n] && (memoryFree < need || slotsFree < 1); i++) {
                int id = nodeMembers[n][i];
                if (freeAt[id] <= now) {
                    memoryFree += memoryMib[instanceFunction[id]];
                    slotsFree++;
                }
            }
            return memoryFree >= need && slotsFree >= 1;
        }

        /** Evicts idle instances of lowest keep-alive priority until the node has room. */
        private void makeRoom(int n, long need, double now) {
            while (cluster.memoryMib() - nodeMemoryUsed[n] < need || cluster.slots() - nodeInstances[n] < 1) {
                int victim = -1;
                double lowest = Double.POSITIVE_INFINITY;
                for (int i = 0; i < nodeMemberCount[n]; i++) {
                    int id = nodeMembers[n][i];
                    if (freeAt[id] <= now) {
                        double p = keepAlive.priority(instanceFunction[id], lastUsed[id]);
                        if (victim < 0 || p < lowest) {
                            victim = id;
                            lowest = p;
                        }
                    }
                }
                if (victim < 0) {
                    throw new IllegalStateException("placement chose a node without room");
                }
                keepAlive.evicted(lowest);
                int f = instanceFunction[victim];
                pools[f].settle(now, freeAt);
                remove(victim, now);
                if (pools[f].size() == 0) {
                    endBurst(f);
                    plan(f, now);
                }
            }
        }

        private int create(int f, int node, double now) {
            int id;
            if (freeIdCount > 0) {
                id = freeIds[--freeIdCount];
            } else {
                id = nextId++;
                if (id == alive.length) {
                    int grown = id * 2;
                    instanceFunction = Arrays.copyOf(instanceFunction, grown);
                    instanceNode = Arrays.copyOf(instanceNode, grown);
                    instanceGeneration = Arrays.copyOf(instanceGeneration, grown);
                    instanceCreated = Arrays.copyOf(instanceCreated, grown);
                    freeAt = Arrays.copyOf(freeAt, grown);
                    lastUsed = Arrays.copyOf(lastUsed, grown);
                    alive = Arrays.copyOf(alive, grown);
                }
            }
            alive[id] = true;
            instanceFunction[id] = f;
            instanceNode[id] = node;
            instanceCreated[id] = now;
            nodeMemoryUsed[node] += memoryMib[f];
            nodeInstances[node]++;
            runningOn[f * nodes + node]++;
            if (nodeMemberCount[node] == nodeMembers[node].length) {
                nodeMembers[node] = Arrays.copyOf(nodeMembers[node], nodeMemberCount[node] * 2);
            }
            nodeMembers[node][nodeMemberCount[node]++] = id;
            return id;
        }

        private void remove(int id, double now) {
            int f = instanceFunction[id];
            int node = instanceNode[id];
            pools[f].settle(now, freeAt);
            pools[f].remove(id, freeAt);
            alive[id] = false;
            instanceGeneration[id]++;
            memoryMibMs += (now - instanceCreated[id]) * memoryMib[f];
            nodeMemoryUsed[node] -= memoryMib[f];
            nodeInstances[node]--;
            runningOn[f * nodes + node]--;
            int[] members = nodeMembers[node];
            for (int i = 0; i < nodeMemberCount[node]; i++) {
                if (members[i] == id) {
                    members[i] = members[--nodeMemberCount[node]];
                    break;
                }
            }
            if (freeIdCount == freeIds.length) {
                freeIds = Arrays.copyOf(freeIds, freeIdCount * 2);
            }
            freeIds[freeIdCount++] = id;
        }
    }
}
