package dev.thaw.wire.v1;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.api.ExampleRequest;
import dev.thaw.api.MachineShape;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.ExtenderFilterResult;
import dev.thaw.wire.v1.extender.HostPriority;
import dev.thaw.wire.v1.gateway.ClusterStatus;
import dev.thaw.wire.v1.gateway.DeployRequest;
import dev.thaw.wire.v1.gateway.DeploySettings;
import dev.thaw.wire.v1.gateway.FunctionView;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.NamespaceRequest;
import dev.thaw.wire.v1.gateway.NamespaceView;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import dev.thaw.wire.v1.gateway.TokenRequest;
import dev.thaw.wire.v1.gateway.TokenView;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.gateway.RegistryProblemReport;
import dev.thaw.wire.v1.gateway.RunSettings;
import dev.thaw.wire.v1.node.CacheUsage;
import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.ConfinementReport;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PeerSource;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.PrefetchResponse;
import dev.thaw.wire.v1.node.PresentRevision;
import dev.thaw.wire.v1.node.ProcessStats;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StartRequest;
import dev.thaw.wire.v1.node.StatusCounters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One instance of every wire record, each field set (none null), so its JSON shows every field. */
final class WireSamples {
    private static final Instant AT = Instant.parse("2026-03-01T12:00:00.123456Z");

    private WireSamples() {
    }

    static List<Record> all() {
        ObjectNode pod = JsonNodeFactory.instance.objectNode();
        pod.putObject("metadata").put("name", "fn-echo-1").putObject("labels").put("thaw.dev/function", "echo");
        ObjectNode nodeList = JsonNodeFactory.instance.objectNode();
        nodeList.put("kind", "NodeList").putArray("items").addObject().putObject("metadata").put("name", "n1");
        StartReport start = new StartReport(StartReport.Tier.REMOTE, 1.5, 1024, 2.25, 4096, 30.5, 12.0, 0, 45.75,
                List.of("local: not cached"), 2048);
        InstanceView instance = new InstanceView("n1-i1", "echo", "r1", AT, start);
        CacheUsage cache = new CacheUsage(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12L, 29L);
        CachedEntry cached = new CachedEntry("snapshots/echo/r1", 4096, AT, 1);
        StatusCounters counters = new StatusCounters(Map.of("boot", 2L, "local", 3L), 1, 2, 3, 4, 5, 6, 7,
                Map.of("signature", 1L));
        ProcessStats process = new ProcessStats(300L << 20, 64L << 20, 42, 17, 2, 1 << 20);
        ConfinementReport confinement = new ConfinementReport(true, true, false, "RLIMIT_NOFILE 1024",
                List.of("no mount namespace: not root"));
        PresentRevision present = new PresentRevision("echo", "r2", 3 << 20, 4 << 20);
        NodeStatus status = new NodeStatus("n1", "http://127.0.0.1:8081", "remote", 4096, 2048, 8, 6,
                List.of(instance), cache, List.of(cached), counters, AT, process, confinement, "MCowBQYDK2VwAyEA",
                List.of(present, new PresentRevision("echo", "r1", 4096, 4096)));
        RunSettings run = new RunSettings(2, 10, 60_000, 100, 30_000);
        return List.of(
                new ErrorBody("not_found", "no such thing"),
                ApiRoute.get("/v1/functions/{name}"),
                // node
                new DeploymentSpec("echo", "r1", new MachineShape(256, 1), 60_000, 30_000, "sha256:k",
                        List.of("sha256:a", "sha256:b"), List.of("/images/a", "/images/b")),
                new StartRequest("echo", "r1", 60_000L, Map.of("n1", "MCowBQYDK2VwAyEA"),
                        List.of(new PeerSource("n2", "http://127.0.0.1:8082", "peer:n1:" + "cd".repeat(32), true))),
                new PeerSource("n2", "http://127.0.0.1:8082", "peer:n1:" + "cd".repeat(32), true),
                new PrefetchRequest(Map.of("n2", "MCowBQYDK2VwAyEB")),
                new PrefetchResponse(123_456),
                start, instance, cache, cached, present, counters, process, confinement, status,
                // gateway
                new JoinRequest("n1", "n1." + "ab".repeat(32)),
                new JoinResponse("n1"),
                new RegisterRequest("n1", "http://127.0.0.1:8081", "MCowBQYDK2VwAyEA"),
                run,
                new DeploySettings(1, 2, 3L, 4, 5L),
                new DeployRequest("/srv/functions/echo", new DeploySettings(1, null, 600_000L, null, null)),
                new FunctionView("default", "echo", "r1", run, "sha256:img", AT, 2,
                        new ExampleRequest("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8), "application/json")),
                new QuotaSettings(10, 40, 8192L),
                new NamespaceRequest("team-a", new QuotaSettings(10, null, null)),
                new NamespaceView("team-a", AT, new QuotaSettings(10, 40, 8192L), new QuotaSettings(2, 20, 2560L)),
                new TokenRequest(List.of("team-a"), AT, "ci"),
                new TokenView("0123456789abcdef", "thaw_secret", List.of("team-a"), "ci", AT, AT, AT),
                new NodeSummary("n1", "http://127.0.0.1:8081", true, AT, status),
                new RegistryProblemReport("echo", "functions/echo.json", "unreadable", false, 3),
                new ClusterStatus("snapshot-aware", 2, 1, 3, 4, 1 << 20, "memory", "store down",
                        List.of(new RegistryProblemReport("old", "functions/old.json", "from a newer Thaw", true, 1))),
                // extender
                new ExtenderArgs(pod, List.of("n1"), nodeList),
                new ExtenderFilterResult(nodeList, List.of("n1"), Map.of("n2", "no free slot"),
                        Map.of("n3", "never"), "none"),
                new HostPriority("n1", HostPriority.MAX_SCORE));
    }
}
