package dev.thaw.k8s.discovery;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.node.api.NodeStatus;
import dev.thaw.node.api.RegisterRequest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's view of node agents on Kubernetes: instead of nodes registering
 * themselves, it watches the node-agent DaemonSet's pods through an informer,
 * registers each running pod under its Kubernetes node's name, and polls each
 * node's status in place of heartbeats. A pod that is deleted or stops running
 * is taken out of scheduling at once; one that stops answering is declared
 * dead by the usual liveness timeout.
 */
public final class NodeDiscovery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeDiscovery.class.getName());
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    private final Membership membership;
    private final int nodePort;
    private final SharedIndexInformer<Pod> informer;
    private final ScheduledExecutorService poller;
    /** Kubernetes node name → the URL its agent was registered with. */
    private final Map<String, String> registered = new ConcurrentHashMap<>();
    private final Map<String, Long> revived = new ConcurrentHashMap<>();
    private static final Duration REVIVE_EVERY = Duration.ofSeconds(10);

    /**
     * @param labelSelector selects the node-agent pods, e.g. {@code app.kubernetes.io/name=thaw-node}
     * @param nodePort the port node agents listen on inside their pods
     */
    public NodeDiscovery(KubernetesClient client, String namespace, String labelSelector, int nodePort,
            Membership membership, Duration pollInterval) {
        this.membership = membership;
        this.nodePort = nodePort;
        this.informer = client.pods().inNamespace(namespace).withLabelSelector(labelSelector)
                .inform(new Handler(), 0);
        this.poller = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("thaw-node-status-poll").factory());
        poller.scheduleWithFixedDelay(this::pollAll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Nodes currently discovered, by Kubernetes node name. */
    public Map<String, String> discovered() {
        return Map.copyOf(registered);
    }

    private final class Handler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            reconcile(pod);
        }

        @Override
        public void onUpdate(Pod old, Pod pod) {
            reconcile(pod);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            String node = nodeName(pod);
            if (node != null) {
                forget(node, "its pod " + pod.getMetadata().getName() + " was deleted");
            }
        }
    }

    private void reconcile(Pod pod) {
        String node = nodeName(pod);
        if (node == null) {
            return; // not scheduled yet
        }
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        boolean running = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getMetadata().getDeletionTimestamp() == null;
        if (!running || ip == null || ip.isBlank()) {
            if (registered.containsKey(node)) {
                forget(node, "its pod " + pod.getMetadata().getName() + " is not running");
            }
            return;
        }
        String url = "http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + nodePort + "/";
        if (!url.equals(registered.get(node))) {
            try {
                membership.register(new RegisterRequest(node, url));
                registered.put(node, url);
                poller.execute(() -> poll(node));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "cannot use pod " + pod.getMetadata().getName() + " as a node: "
                        + e.getMessage());
            }
        }
    }

    private void forget(String node, String why) {
        registered.remove(node);
        membership.find(node).filter(Member::alive).ifPresent(m -> membership.declareDead(m, why));
    }

    private void pollAll() {
        long now = System.nanoTime();
        registered.forEach((node, url) -> {
            boolean dead = membership.find(node).map(m -> !m.alive()).orElse(true);
            // A pod that still runs may have been declared dead for a slow patch: give it another chance,
            // but not on every poll, so a node that is really gone does not flap in and out of scheduling.
            if (dead && now - revived.getOrDefault(node, 0L) > REVIVE_EVERY.toNanos()) {
                revived.put(node, now);
                membership.register(new RegisterRequest(node, url));
            }
            poll(node);
        });
    }

    /** Stands in for a heartbeat: the node's status, read by the gateway. */
    private void poll(String node) {
        membership.find(node).filter(Member::alive).ifPresent(member -> {
            try {
                NodeStatus status = member.json("GET", "v1/status", null, NodeStatus.class, STATUS_TIMEOUT);
                membership.heartbeat(node, Objects.requireNonNull(status, "empty status"));
            } catch (IOException | RuntimeException e) {
                // Silence is what the liveness timeout is for; one line per poll would flood the log.
                LOG.log(Level.FINE, "status of node " + node + " unavailable: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    }

    @Override
    public void close() {
        informer.close();
        poller.shutdownNow();
    }
}
