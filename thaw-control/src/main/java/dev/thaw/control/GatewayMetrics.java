package dev.thaw.control;

import dev.thaw.api.FunctionId;
import dev.thaw.control.routing.InvocationListener;
import dev.thaw.control.routing.Router;
import dev.thaw.control.routing.StartTimings;
import dev.thaw.node.ProcessGauges;
import dev.thaw.node.ProcessSampler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * The gateway's Prometheus metrics: invocations by function and start kind, init
 * latency and its parts (queue, schedule, fetch, vm), queue length and instances
 * per function, cold starts per node.
 */
final class GatewayMetrics implements InvocationListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    GatewayMetrics() {
        ProcessGauges.register(registry, () -> ProcessSampler.sample(null), false);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void invoked(String function, StartTimings t) {
        Counter.builder("thaw.gateway.invocations").description("invocations that reached an instance")
                .tags(labels(function)).tag("start", t.start()).register(registry).increment();
        if (!t.cold()) {
            return;
        }
        timer("thaw.gateway.init", "gateway accept to instance ready, cold starts", t.start()).record(ms(t.initMs()));
        timer("thaw.gateway.init.queue", "time queued before a cold start", t.start()).record(ms(t.queueMs()));
        timer("thaw.gateway.init.schedule", "time choosing a node", t.start()).record(ms(t.scheduleMs()));
        timer("thaw.gateway.init.fetch", "image and snapshot fetch on the node", t.start()).record(ms(t.fetchMs()));
        timer("thaw.gateway.init.vm", "restore or boot on the node", t.start()).record(ms(t.vmMs()));
    }

    @Override
    public void coldStart(String function, String node) {
        Counter.builder("thaw.gateway.cold.starts").description("cold starts placed on each node")
                .tags("node", node).register(registry).increment();
    }

    /** Queue length and instance gauges for a function, read from its router while it exists. */
    @Override
    public void routerCreated(String function, Router router) {
        Gauge.builder("thaw.gateway.queue.length", router::queueLength)
                .description("requests waiting for an instance").tags(labels(function)).register(registry);
        Gauge.builder("thaw.gateway.instances", router::instances)
                .description("instances the gateway routes to").tags(labels(function)).register(registry);
    }

    @Override
    public void routerDeleted(String function) {
        FunctionId id = FunctionId.ofKey(function);
        List<Meter> meters = registry.getMeters().stream()
                .filter(m -> id.name().equals(m.getId().getTag("function"))
                        && id.namespace().equals(m.getId().getTag("namespace"))).toList();
        meters.forEach(registry::remove);
        labels.remove(function);
    }

    /** A function's labels: its namespace and its name there, so two tenants' functions never share a series. */
    private Tags labels(String key) {
        return labels.computeIfAbsent(key, k -> {
            FunctionId id = FunctionId.ofKey(k);
            return Tags.of("namespace", id.namespace(), "function", id.name());
        });
    }

    /** Parsed once per function, not per invocation; dropped with the function's meters. */
    private final java.util.Map<String, Tags> labels = new java.util.concurrent.ConcurrentHashMap<>();

    private Timer timer(String name, String description, String start) {
        return Timer.builder(name).description(description).tag("start", start).publishPercentileHistogram()
                .register(registry);
    }

    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1e6));
    }
}
