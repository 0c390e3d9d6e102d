package dev.thaw.k8s.functions;

import static dev.thaw.k8s.functions.Fixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.k8s.crd.CachedRevision;
import dev.thaw.k8s.crd.GatewayReport;
import dev.thaw.k8s.crd.NodeSnapshotCache;
import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.k8s.crd.ThawFunction;
import dev.thaw.k8s.crd.ThawFunctionStatus;
import dev.thaw.snapshot.store.DirectoryObjectStore;
import dev.thaw.testkit.FakeClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class ThawFunctionReporterTest {
    private static final Duration PERIOD = Duration.ofSeconds(10);

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private final FakeClock clock = new FakeClock(Fixtures.AT);
    private final Map<String, Integer> instances = new ConcurrentHashMap<>();
    private ThawFunctionRegistry registry;
    private List<NodeSnapshotCache> caches;
    private ThawFunctionReporter reporter;

    @BeforeEach
    void start() throws Exception {
        Fixtures.registerCrd(client);
        registry = new ThawFunctionRegistry(client, NS, new DirectoryObjectStore(dir), clock, Duration.ofMinutes(10));
        // node-d holds half of hello's snapshot: it is not one of the nodes caching it.
        NodeSnapshotCache half = NodeSnapshotCache.forNode("node-d");
        half.setStatus(new NodeSnapshotCacheStatus(1000, 50, 0, 0, 0, 0, null, 1, false,
                List.of(new CachedRevision("hello", "rev-1", 50, null, 100))));
        caches = List.of(cache("node-a", "hello", "rev-1"), cache("node-b", "hello", "rev-0"),
                cache("node-c", "other", "rev-1"), half);
        reporter = new ThawFunctionReporter(registry, "gateway-0", name -> instances.getOrDefault(name, 0),
                () -> caches, PERIOD);
        String digest = registry.putArchive("code".getBytes(StandardCharsets.UTF_8));
        ThawFunction created = client.resources(ThawFunction.class).inNamespace(NS)
                .resource(Fixtures.object("hello", digest, null)).create();
        registry.write(Fixtures.built("hello", "rev-1", FunctionSettings.DEFAULTS), digest, 1);
        client.resources(ThawFunction.class).inNamespace(NS).resource(Fixtures.object("idle", digest, null)).create();
        awaitCached(s -> "rev-1".equals(s.revision()));
        assertThat(created).isNotNull();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static NodeSnapshotCache cache(String node, String function, String revision) {
        NodeSnapshotCache c = NodeSnapshotCache.forNode(node);
        c.setStatus(new NodeSnapshotCacheStatus(1000, 100, 0, 0, 0, 0, null, 1, false,
                List.of(new CachedRevision(function, revision, 100, null))));
        return c;
    }

    private void awaitCached(java.util.function.Predicate<ThawFunctionStatus> condition) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ThawFunction f = registry.cached("hello");
            return f != null && f.getStatus() != null && condition.test(f.getStatus());
        });
    }

    private ThawFunctionStatus status() {
        return client.resources(ThawFunction.class).inNamespace(NS).withName("hello").get().getStatus();
    }

    @Test
    void writesInstancesAndCachingNodesOnlyWhenTheyChange() {
        instances.put("hello", 2);

        assertThat(reporter.report()).as("the served function; not the one without a revision").isEqualTo(1);
        assertThat(status().instances()).isEqualTo(2);
        assertThat(status().cachingNodes()).containsExactly("node-a");
        assertThat(status().gateways()).containsExactly(new GatewayReport("gateway-0", 2, Fixtures.AT.toString()));
        assertThat(status().ready().orElseThrow().status()).as("the rest of the status stays").isEqualTo("True");
        awaitCached(s -> s.instances() == 2);

        clock.advance(PERIOD);
        assertThat(reporter.report()).isZero();

        instances.put("hello", 5);
        assertThat(reporter.report()).isEqualTo(1);
        assertThat(status().instances()).isEqualTo(5);
    }

    @Test
    void sumsTheReplicasAndDropsOneThatStoppedReporting() throws Exception {
        ThawFunction current = client.resources(ThawFunction.class).inNamespace(NS).withName("hello").get();
        registry.updateStatus(current, s -> s.withReports(List.of(new GatewayReport("gateway-1", 3,
                Fixtures.AT.toString())), List.of()));
        awaitCached(s -> s.gateways().size() == 1);
        instances.put("hello", 1);

        reporter.report();
        assertThat(status().instances()).isEqualTo(4);
        assertThat(status().gateways()).extracting(GatewayReport::gateway).containsExactly("gateway-0", "gateway-1");
        awaitCached(s -> s.gateways().size() == 2);

        clock.advance(PERIOD.multipliedBy(ThawFunctionReporter.STALE_AFTER).plusSeconds(1));
        assertThat(reporter.report()).isEqualTo(1);
        assertThat(status().gateways()).extracting(GatewayReport::gateway).containsExactly("gateway-0");
        assertThat(status().instances()).isEqualTo(1);
    }
}
