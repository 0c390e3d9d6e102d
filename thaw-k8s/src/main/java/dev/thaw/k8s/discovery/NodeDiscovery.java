package dev.thaw.k8s.discovery;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * The gateway's view of node agents on Kubernetes: instead of nodes registering
 * themselves, it watches the node-agent DaemonSet's pods through an informer,
 * registers each running pod under its Kubernetes node's name, and polls each
 * node's status in place of heartbeats. A pod that is deleted or stops running
 * is taken out of scheduling at once; one that stops answering is declared
 * dead by the usual liveness timeout.
 *
 * <p>Only pods of the node-agent DaemonSet are nodes: besides the label, a pod must name the
 * DaemonSet (by name and UID, read from the API) as its controlling owner, so a pod that anyone
 * with rights to create pods labels alike is not admitted. The gateway calls discovered nodes with
 * the node call token that the node agents accept.
 */
public final class NodeDiscovery implements AutoCloseable {
    private static final Logger LOG = System.getLogger(NodeDiscovery.class.getName());
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);

    private final Membership membership;
    private final KubernetesClient client;
    private final String namespace;
    private final String daemonSet;
    private final String callToken;
    private final int nodePort;
    /** The DaemonSet's UID as last read; null until read, and read again when a pod names another. */
    private volatile String daemonSetUid;
    private final Map<String, Boolean> refusedPods = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Pod> informer;
    private final ScheduledExecutorService poller;
    /** Kubernetes node name → the URL its agent was registered with. */
    private final Map<String, String> registered = new ConcurrentHashMap<>();
    private final Map<String, Long> revived = new ConcurrentHashMap<>();
    private static final Duration REVIVE_EVERY = Duration.ofSeconds(10);

    /**
     * @param labelSelector selects the node-agent pods, e.g. {@code app.kubernetes.io/name=thaw-node}
     * @param daemonSet the node-agent DaemonSet in {@code namespace} that must own each pod
     * @param callToken the token node agents accept, which the gateway calls them with
     * @param nodePort the port node agents listen on inside their pods
     */
    public NodeDiscovery(KubernetesClient client, String namespace, String labelSelector, String daemonSet,
            String callToken, int nodePort, Membership membership, Duration pollInterval) {
        if (callToken == null || callToken.isBlank()) {
            throw new IllegalArgumentException("discovered nodes need a call token");
        }
        this.membership = membership;
        this.client = client;
        this.namespace = namespace;
        this.daemonSet = Objects.requireNonNull(daemonSet, "daemonSet");
        this.callToken = callToken;
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
            refusedPods.remove(pod.getMetadata().getName());
            String node = nodeName(pod);
            if (node != null && ownedByDaemonSet(pod)) {
                forget(node, "its pod " + pod.getMetadata().getName() + " was deleted");
            }
        }
    }

    private void reconcile(Pod pod) {
        String node = nodeName(pod);
        if (node == null) {
            return; // not scheduled yet
        }
        if (!ownedByDaemonSet(pod)) {
            if (refusedPods.put(pod.getMetadata().getName(), true) == null) {
                LOG.log(Level.WARNING, "pod " + pod.getMetadata().getName() + " carries the node-agent label but is not a pod"
                        + " of DaemonSet " + namespace + "/" + daemonSet + "; it is not admitted as a node");
            }
            return;
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
                membership.register(new RegisterRequest(node, url), callToken);
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
                try {
                    membership.register(new RegisterRequest(node, url), callToken);
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.DEBUG, "node " + node + " not registered again: " + e.getMessage());
                }
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
                LOG.log(Level.DEBUG, "status of node " + node + " unavailable: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Whether the DaemonSet named in the configuration, as it exists now, controls {@code pod}. */
    private boolean ownedByDaemonSet(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return false;
        }
        for (OwnerReference owner : owners) {
            if ("DaemonSet".equals(owner.getKind()) && daemonSet.equals(owner.getName())
                    && Boolean.TRUE.equals(owner.getController()) && owner.getApiVersion() != null
                    && owner.getApiVersion().startsWith("apps/") && owner.getUid() != null) {
                String uid = daemonSetUid;
                if (!owner.getUid().equals(uid)) {
                    uid = readDaemonSetUid(); // the DaemonSet may have been created again since
                }
                return owner.getUid().equals(uid);
            }
        }
        return false;
    }

    private String readDaemonSetUid() {
        try {
            DaemonSet found = client.apps().daemonSets().inNamespace(namespace).withName(daemonSet).get();
            daemonSetUid = found == null ? null : found.getMetadata().getUid();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read DaemonSet " + namespace + "/" + daemonSet + ": " + e.getMessage());
        }
        return daemonSetUid;
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
