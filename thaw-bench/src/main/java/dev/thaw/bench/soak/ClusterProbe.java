package dev.thaw.bench.soak;

import dev.thaw.control.GatewayClient;
import dev.thaw.wire.v1.gateway.NodeSummary;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.ProcessStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's footprint from its {@code /metrics}, and each node's from the status it last reported
 * ({@code GET /v1/nodes}, refreshed by every heartbeat), both with the user's token.
 */
public final class ClusterProbe implements SoakProbe {
    private final GatewayClient gateway;

    public ClusterProbe(GatewayClient gateway) {
        this.gateway = gateway;
    }

    @Override
    public List<ProcessSample> sample() throws IOException, InterruptedException {
        List<ProcessSample> samples = new ArrayList<>();
        samples.add(fromMetrics("gateway", gateway.metrics()));
        for (NodeSummary node : gateway.nodes()) {
            NodeStatus status = node.status();
            if (node.alive() && status != null && status.process() != null) {
                samples.add(fromStatus(node.name(), status));
            }
        }
        return samples;
    }

    static ProcessSample fromMetrics(String process, String metrics) {
        return new ProcessSample(process,
                PrometheusText.sum(metrics, "thaw_process_rss_bytes", Map.of()),
                PrometheusText.sum(metrics, "jvm_memory_used_bytes", Map.of("area", "heap")),
                PrometheusText.sum(metrics, "process_files_open_files", Map.of()),
                PrometheusText.sum(metrics, "jvm_threads_live_threads", Map.of()),
                PrometheusText.sum(metrics, "thaw_process_children", Map.of()),
                zeroIfNone(PrometheusText.sum(metrics, "thaw_gateway_instances", Map.of())),
                PrometheusText.sum(metrics, "thaw_process_shm_bytes", Map.of()));
    }

    static ProcessSample fromStatus(String process, NodeStatus status) {
        ProcessStats p = status.process();
        return new ProcessSample(process, known(p.rssBytes()), known(p.heapUsedBytes()), known(p.openFds()),
                known(p.threads()), known(p.childProcesses()), status.instances().size(), known(p.shmBytes()));
    }

    /** No instance gauge yet means no function has been routed to: zero instances. */
    private static double zeroIfNone(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static double known(long value) {
        return value < 0 ? Double.NaN : value;
    }
}
