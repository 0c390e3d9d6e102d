package dev.thaw.k8s.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.NodeSnapshotCache;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.testkit.FakeClock;
import dev.thaw.wire.v1.node.PresentRevision;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeCacheSyncTest {
    private static final String NODE = "node-1";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final SyncSettings FAST_RESYNC = SyncSettings.DEFAULTS.withResyncInterval(Duration.ofMillis(100))
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100));

    KubernetesMockServer server;
    KubernetesClient client;

    private final FakeCacheSource cache = new FakeCacheSource();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(NodeCacheSync.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            log.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private NodeCacheSync sync;

    @BeforeEach
    void registerCrd() throws Exception {
        // The mock learns the scope and the status subresource from the CRD, as an API server would.
        try (InputStream in = Files.newInputStream(Path.of("..", "deploy", "base", "crd-nodesnapshotcache.yaml"))) {
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in,
                    CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
        logger.addHandler(handler);
    }

    @AfterEach
    void stop() {
        if (sync != null) {
            sync.close();
        }
        logger.removeHandler(handler);
    }

    @Test
    void startCreatesTheObjectWithEntriesAndCapacity() {
        cache.add("snapshots/hello/r1", 100, T0).add("snapshots/hello/r2", 200, T0.plusSeconds(5))
                .add("images/85ab", 999, T0.plusSeconds(9));

        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS);

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisions().size() == 2);
        NodeSnapshotCache object = object();
        assertThat(object.getSpec().nodeName()).isEqualTo(NODE);
        assertThat(status.revisions()).containsExactly(
                new CachedRevision("hello", "r2", 200, "2026-01-01T00:00:05Z"),
                new CachedRevision("hello", "r1", 100, "2026-01-01T00:00:00Z"));
        assertThat(status.budgetBytes()).isEqualTo(1L << 30);
        assertThat(status.usedBytes()).isEqualTo(1299);
        assertThat(status.memoryMibFree()).isEqualTo(3072);
        assertThat(status.memoryMibTotal()).isEqualTo(4096);
        assertThat(status.slotsFree()).isEqualTo(5);
        assertThat(status.slotsTotal()).isEqualTo(8);
        assertThat(status.revisionCount()).isEqualTo(2);
        assertThat(status.truncated()).isFalse();
        assertThat(Instant.parse(status.updatedAt())).isAfter(Instant.now().minusSeconds(60));
    }

    @Test
    void adoptingAnObjectFromAnEarlierRunReplacesItsStaleEntries() {
        NodeSnapshotCache stale = NodeSnapshotCache.forNode(NODE);
        client.resources(NodeSnapshotCache.class).resource(stale).create();
        stale.setStatus(new NodeSnapshotCacheStatus(1, 1, 1, 1, 1, 1, "2025-01-01T00:00:00Z", 2, false,
                List.of(new CachedRevision("old", "r1", 5, "2025-01-01T00:00:00Z"),
                        new CachedRevision("hello", "r1", 5, "2025-01-01T00:00:00Z"))));
        client.resources(NodeSnapshotCache.class).resource(stale).patchStatus();
        cache.add("snapshots/hello/r1", 100, T0);

        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS);

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisionCount() == 1);
        assertThat(status.revisions()).containsExactly(new CachedRevision("hello", "r1", 100, "2026-01-01T00:00:00Z"));
        assertThat(log).anyMatch(m -> m.contains("adopting NodeSnapshotCache node-1")
                && m.contains("1 revisions no longer cached"));
    }

    @Test
    void aBurstOfAdditionsIsWrittenInAFewBatches() throws Exception {
        FakeClock clock = new FakeClock(T0);
        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS, clock);
        awaitStatus(s -> true);
        long before = sync.writes();

        for (int i = 0; i < 200; i++) {
            cache.add("snapshots/f" + i + "/r1", 10, T0.plusMillis(i));
        }
        // Within the batch interval (the clock has not moved), the additions are not written one by one.
        assertThat(sync.writes() - before).isLessThanOrEqualTo(1L);

        // A pass that was already running during the burst may have written part of it and restarted its batch
        // interval, so move the clock on until the whole burst is written.
        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisions().size() == 200, () -> {
            clock.advance(SyncSettings.DEFAULTS.batchInterval());
            sync.clockMoved();
        });
        clock.advance(SyncSettings.DEFAULTS.batchInterval()); // one more batch interval: nothing else is written
        sync.clockMoved();
        // Wait until the writes settle (the write that showed all 200 may still be finishing), then count them.
        java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong(-1);
        org.awaitility.Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .until(() -> {
                    long writes = sync.writes();
                    return seen.getAndSet(writes) == writes;
                });
        assertThat(sync.writes() - before).isBetween(1L, 3L);
        assertThat(status.revisions().getFirst().function()).isEqualTo("f199");
        assertThat(status.truncated()).isFalse();
    }

    @Test
    void moreRevisionsThanTheLimitAreTruncatedToTheMostRecentlyUsed() {
        for (int i = 0; i < 200; i++) {
            cache.add("snapshots/f" + i + "/r1", 10, T0.plusMillis(i));
        }

        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS.withMaxRevisions(50));

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisionCount() == 200);
        assertThat(status.truncated()).isTrue();
        assertThat(status.revisions()).hasSize(50);
        assertThat(status.revisions().getFirst().function()).isEqualTo("f199");
        assertThat(status.revisions().getLast().function()).isEqualTo("f150");
    }

    @Test
    void aRemovedSnapshotStopsBeingAdvertisedPromptly() {
        cache.add("snapshots/hello/r1", 100, T0).add("snapshots/bye/r1", 100, T0);
        // A batch interval far longer than awaitStatus waits: the removal must not wait for it to end.
        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS.withBatchInterval(Duration.ofMinutes(5)));
        awaitStatus(s -> s.revisionCount() == 2);
        cache.add("snapshots/new/r1", 100, T0); // opens a batch interval

        cache.remove("snapshots/hello/r1");

        awaitStatus(s -> s.revisions().stream().noneMatch(r -> r.function().equals("hello")));
    }

    @Test
    void anObjectDeletedBySomeoneIsRecreated() {
        cache.add("snapshots/hello/r1", 100, T0);
        sync = NodeCacheSync.start(client, NODE, cache, FAST_RESYNC);
        awaitStatus(s -> s.revisionCount() == 1);

        client.resources(NodeSnapshotCache.class).withName(NODE).delete();

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisionCount() == 1);
        assertThat(status.revisions()).extracting(CachedRevision::function).containsExactly("hello");
        assertThat(log).anyMatch(m -> m.equals("NodeSnapshotCache node-1 was deleted; recreating it"));
    }

    @Test
    void anObjectEditedIntoNonsenseIsOverwritten() {
        cache.add("snapshots/hello/r1", 100, T0);
        sync = NodeCacheSync.start(client, NODE, cache, FAST_RESYNC);
        awaitStatus(s -> s.revisionCount() == 1);

        client.genericKubernetesResources(NodeSnapshotCacheWriter.CONTEXT).withName(NODE).status().patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"usedBytes\":\"lots\",\"revisions\":\"none\",\"truncated\":{\"a\":1}}}");

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisionCount() == 1);
        assertThat(status.usedBytes()).isEqualTo(100);
        assertThat(status.revisions()).extracting(CachedRevision::function).containsExactly("hello");
        assertThat(log).anyMatch(m -> m.startsWith("NodeSnapshotCache node-1 holds content that does not parse")
                && m.endsWith("; overwriting it with this node's state"));
    }

    @Test
    void capacityChangesWithoutCacheEventsAreWrittenOnResync() {
        sync = NodeCacheSync.start(client, NODE, cache, FAST_RESYNC);
        awaitStatus(s -> s.memoryMibFree() == 3072);

        cache.memoryMibFree(1024);

        awaitStatus(s -> s.memoryMibFree() == 1024);
    }

    @Test
    void theShareOfEachRevisionTheNodeHoldsIsAdvertisedAndFollowed() {
        cache.add("snapshots/hello/r1", 100, T0).add("images/85ab", 999, T0);
        cache.present(List.of(new PresentRevision("hello", "r1", 100, 100),
                new PresentRevision("hello", "r2", 90, 100), new PresentRevision("other", "r1", 5, 50)));

        sync = NodeCacheSync.start(client, NODE, cache, FAST_RESYNC);

        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisions().size() == 3);
        // The whole snapshot, last used at T0, first; then those never started from, by name.
        assertThat(status.revisions()).containsExactly(
                new CachedRevision("hello", "r1", 100, "2026-01-01T00:00:00Z", 100),
                new CachedRevision("hello", "r2", 90, null, 100),
                new CachedRevision("other", "r1", 5, null, 50));
        assertThat(status.revisions()).extracting(CachedRevision::whole).containsExactly(true, false, false);
        assertThat(status.revisionCount()).isEqualTo(3);

        // More of hello/r2 arrives (no cache entry changes): the next resync writes it.
        cache.present(List.of(new PresentRevision("hello", "r1", 100, 100),
                new PresentRevision("hello", "r2", 99, 100)));
        status = awaitStatus(s -> s.revisions().size() == 2);
        assertThat(status.revisions()).containsExactly(
                new CachedRevision("hello", "r1", 100, "2026-01-01T00:00:00Z", 100),
                new CachedRevision("hello", "r2", 99, null, 100));
    }

    @Test
    void aNodeThatDoesNotReportPresenceAdvertisesItsSnapshotsAsWhole() {
        cache.add("snapshots/hello/r1", 100, T0);
        sync = NodeCacheSync.start(client, NODE, cache, SyncSettings.DEFAULTS);
        NodeSnapshotCacheStatus status = awaitStatus(s -> s.revisions().size() == 1);
        assertThat(status.revisions()).containsExactly(
                new CachedRevision("hello", "r1", 100, "2026-01-01T00:00:00Z", 100));
        assertThat(status.revisions().getFirst().whole()).isTrue();
    }

    @Test
    void closeStopsWriting() throws Exception {
        cache.add("snapshots/hello/r1", 100, T0);
        sync = NodeCacheSync.start(client, NODE, cache, FAST_RESYNC);
        awaitStatus(s -> s.revisionCount() == 1);

        sync.close();
        long writes = sync.writes();
        cache.add("snapshots/bye/r1", 100, T0);
        cache.remove("snapshots/hello/r1");
        client.resources(NodeSnapshotCache.class).withName(NODE).delete();
        Thread.sleep(300);

        assertThat(sync.writes()).isEqualTo(writes);
        assertThat(client.resources(NodeSnapshotCache.class).withName(NODE).get()).isNull();
    }

    private NodeSnapshotCache object() {
        return client.resources(NodeSnapshotCache.class).withName(NODE).get();
    }

    private NodeSnapshotCacheStatus awaitStatus(java.util.function.Predicate<NodeSnapshotCacheStatus> wanted) {
        return awaitStatus(wanted, () -> { });
    }

    /** Waits for a status, running {@code beforeEachLook} before each look at the object. */
    private NodeSnapshotCacheStatus awaitStatus(java.util.function.Predicate<NodeSnapshotCacheStatus> wanted,
            Runnable beforeEachLook) {
        NodeSnapshotCacheStatus[] last = new NodeSnapshotCacheStatus[1];
        await(() -> {
            beforeEachLook.run();
            try {
                NodeSnapshotCache object = object();
                last[0] = object == null ? null : object.getStatus();
            } catch (RuntimeException e) {
                last[0] = null; // edited into nonsense and not yet repaired
            }
            return last[0] != null && wanted.test(last[0]);
        }, Duration.ofSeconds(5));
        return last[0];
    }

    private static void await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
