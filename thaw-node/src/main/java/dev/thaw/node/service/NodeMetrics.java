package dev.thaw.node.service;

import dev.thaw.node.NodeStats;
import dev.thaw.node.ProcessGauges;
import dev.thaw.node.StartRecord;
import dev.thaw.node.StartTier;
import dev.thaw.snapshot.cache.CacheStats;
import dev.thaw.snapshot.cache.DiskBudget;
import dev.thaw.snapshot.lazy.ChunkCache;
import dev.thaw.snapshot.trust.VerificationException;
import dev.thaw.snapshot.workingset.WorkingSetException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The node's Prometheus metrics: starts by tier and what they cost, capacity
 * left, and the snapshot cache and store counters the runtime keeps.
 */
final class NodeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer fetch;

    NodeMetrics(NodeService service) {
        for (StartTier tier : StartTier.values()) {
            // Registered up front so every tier shows, at zero, before its first start.
            starts(tier);
            startTime(tier);
        }
        fetch = Timer.builder("thaw.node.fetch").description("image and snapshot fetch time of a start")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("thaw.node.instances", service, NodeService::instanceCount)
                .description("instances running").register(registry);
        Gauge.builder("thaw.node.memory.free", service, NodeService::freeMemoryMib).baseUnit("mebibytes")
                .description("guest memory not given to instances").register(registry);
        Gauge.builder("thaw.node.slots.free", service, NodeService::freeSlots)
                .description("instance slots free").register(registry);
        cacheCounter(service, "thaw.node.cache.hits", null, CacheStats::hits);
        cacheCounter(service, "thaw.node.cache.misses", null, CacheStats::misses);
        cacheCounter(service, "thaw.node.cache.evictions", null, CacheStats::evictions);
        cacheCounter(service, "thaw.node.cache.fetched", "bytes", CacheStats::bytesFetched);
        Gauge.builder("thaw.node.cache.used", service, s -> cache(s, CacheStats::bytesUsed)).baseUnit("bytes")
                .description("bytes the snapshot cache holds").register(registry);
        // The snapshot and image cache and the chunk cache share one budget; 0 on a node that keeps no snapshots.
        Gauge.builder("thaw.node.cache.budget", service, s -> disk(s, DiskBudget.Usage::budgetBytes))
                .baseUnit("bytes").description("the node's cache budget, for its snapshot, image and chunk caches together")
                .register(registry);
        Gauge.builder("thaw.node.cache.budget.used", service, s -> disk(s, DiskBudget.Usage::usedBytes))
                .baseUnit("bytes").description("bytes the snapshot, image and chunk caches hold or have reserved together")
                .register(registry);
        counter(service, "thaw.node.snapshots.corrupt", c -> c.corruptSnapshots());
        counter(service, "thaw.node.snapshots.incompatible", c -> c.incompatibleSnapshots());
        counter(service, "thaw.node.store.errors", c -> c.storeErrors());
        counter(service, "thaw.node.publish.failures", c -> c.publishFailures());
        counter(service, "thaw.node.published", c -> c.published());
        for (VerificationException.Reason reason : VerificationException.Reason.values()) {
            String label = reason.label();
            FunctionCounter.builder("thaw.node.snapshot.verify.failures", service,
                            s -> s.stats().counters().verifyFailures().getOrDefault(label, 0L))
                    .tag("reason", label)
                    .description("snapshots and images from the store refused by authentication")
                    .register(registry);
        }
        // Snapshot bytes read by source: other nodes' caches before the store.
        FunctionCounter.builder("thaw.node.snapshot.read", service, s -> s.sourceCounters().peerBytes())
                .tag("source", "peer").baseUnit("bytes").description("snapshot bytes read, as stored, by source")
                .register(registry);
        FunctionCounter.builder("thaw.node.snapshot.read", service, s -> s.sourceCounters().s3Bytes())
                .tag("source", "s3").baseUnit("bytes").description("snapshot bytes read, as stored, by source")
                .register(registry);
        FunctionCounter.builder("thaw.node.peer.manifests", service, s -> s.sourceCounters().peerManifests())
                .description("snapshot manifests read from a peer because the store had none yet").register(registry);
        FunctionCounter.builder("thaw.node.peer.corrupt", service, s -> s.sourceCounters().peerCorrupt())
                .description("chunks a peer served that did not match their digest").register(registry);
        FunctionCounter.builder("thaw.node.peer.failures", service, s -> s.sourceCounters().peerFailures())
                .description("peer reads that failed or missed their deadline").register(registry);
        lazyMetrics(service);
        ProcessGauges.register(registry, service::processStats, true);
    }

    /** Lazy restores, the chunk cache behind them, and working sets. */
    private void lazyMetrics(NodeService service) {
        FunctionCounter.builder("thaw.node.lazy.starts", service, s -> s.lazyStats().lazyStarts())
                .description("remote starts restored at once, memory fetched on first touch").register(registry);
        FunctionCounter.builder("thaw.node.lazy.faults", service, s -> s.lazyStats().faults())
                .description("lazy starts whose VMM failed (a chunk could not be had), each then booted")
                .register(registry);
        FunctionCounter.builder("thaw.node.lazy.whole.fetches", service, s -> s.lazyStats().wholeFetches())
                .description("remote starts that fetched whole snapshots first").register(registry);
        FunctionCounter.builder("thaw.node.lazy.images", service, s -> s.lazyStats().lazyImages())
                .description("images presented on first touch instead of fetched whole").register(registry);
        FunctionCounter.builder("thaw.node.lazy.image.faults", service, s -> s.lazyStats().imageFaults())
                .description("starts that failed because a presented image's chunk could not be had")
                .register(registry);
        chunkCounter(service, "thaw.node.chunks.hits", null, ChunkCache.Counters::hits);
        chunkCounter(service, "thaw.node.chunks.misses", null, ChunkCache.Counters::misses);
        chunkCounter(service, "thaw.node.chunks.fetched", "bytes", ChunkCache.Counters::fetchedBytes);
        chunkCounter(service, "thaw.node.chunks.verify.failures", null, ChunkCache.Counters::verifyFailures);
        chunkCounter(service, "thaw.node.chunks.evictions", null, ChunkCache.Counters::evictions);
        Gauge.builder("thaw.node.chunks.used", service, s -> {
            ChunkCache.Counters chunks = s.lazyStats().chunks();
            return chunks == null ? 0 : chunks.usedBytes();
        }).baseUnit("bytes").description("bytes the chunk cache holds").register(registry);
        for (WorkingSetException.Reason reason : WorkingSetException.Reason.values()) {
            String key = "refused{" + reason.label() + "}";
            FunctionCounter.builder("thaw.node.workingset.refused", service,
                            s -> s.workingSetCounters().getOrDefault(key, 0L))
                    .tag("reason", reason.label()).description("published working sets not used").register(registry);
        }
        for (String name : List.of("recorded", "published", "prefetches", "readAheads")) {
            FunctionCounter.builder("thaw.node.workingset." + name.toLowerCase(Locale.ROOT), service,
                    s -> s.workingSetCounters().getOrDefault(name, 0L)).register(registry);
        }
        FunctionCounter.builder("thaw.node.workingset.prefetched", service,
                s -> s.workingSetCounters().getOrDefault("prefetchedBytes", 0L)).baseUnit("bytes").register(registry);
    }

    private void chunkCounter(NodeService service, String name, String unit,
            ToLongFunction<ChunkCache.Counters> value) {
        FunctionCounter.builder(name, service, s -> {
            ChunkCache.Counters chunks = s.lazyStats().chunks();
            return chunks == null ? 0 : value.applyAsLong(chunks);
        }).baseUnit(unit).register(registry);
    }

    void record(StartRecord start) {
        starts(start.tier()).increment();
        startTime(start.tier()).record(millis(start.readyMs()));
        double fetchMs = start.imageFetchMs() + start.snapshotFetchMs();
        if (fetchMs > 0) {
            fetch.record(millis(fetchMs));
        }
    }

    /** The Prometheus text format. */
    String scrape() {
        return registry.scrape();
    }

    private Counter starts(StartTier tier) {
        return Counter.builder("thaw.node.starts").tag("tier", tier.label()).description("instances started")
                .register(registry);
    }

    private Timer startTime(StartTier tier) {
        return Timer.builder("thaw.node.start").tag("tier", tier.label())
                .description("from start request to an instance ready to serve").publishPercentileHistogram()
                .register(registry);
    }

    private void cacheCounter(NodeService service, String name, String unit, ToLongFunction<CacheStats> value) {
        FunctionCounter.builder(name, service, s -> cache(s, value)).baseUnit(unit).register(registry);
    }

    private void counter(NodeService service, String name, ToLongFunction<NodeStats.Counters> value) {
        FunctionCounter.builder(name, service, s -> value.applyAsLong(s.stats().counters())).register(registry);
    }

    private static double cache(NodeService service, ToLongFunction<CacheStats> value) {
        CacheStats stats = service.stats().cache();
        return stats == null ? 0 : value.applyAsLong(stats);
    }

    private static double disk(NodeService service, ToLongFunction<DiskBudget.Usage> value) {
        DiskBudget.Usage disk = service.stats().disk();
        return disk == null ? 0 : value.applyAsLong(disk);
    }

    private static Duration millis(double ms) {
        return Duration.ofNanos((long) (ms * 1e6));
    }
}
