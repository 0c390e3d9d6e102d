package dev.thaw.control.routing;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.scheduling.NodeCandidate;
import dev.thaw.control.scheduling.Scheduler;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.http.ApiClient;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PeerSource;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Cold starts: ranks the live nodes that hold the deployment with the cluster's
 * policy and asks them in turn for an instance until one starts it.
 */
public final class Placement {
    private static final System.Logger LOG = System.getLogger(Placement.class.getName());
    private final Membership membership;
    private final SchedulerPolicy policy;
    /** Whether start requests name the revision's holders (off only to measure the store alone). */
    private volatile boolean peerFetch = true;

    public Placement(Membership membership, SchedulerPolicy policy) {
        this.membership = membership;
        this.policy = policy;
    }

    public SchedulerPolicy policy() {
        return policy;
    }

    /** Turns naming holders in start requests on or off; on by default, off to compare with the store alone. */
    public void peerFetch(boolean on) {
        peerFetch = on;
    }

    /** A started instance and the time spent choosing nodes (including tries that failed). */
    record Started(Instance instance, double scheduleMs) {
    }

    Started start(DeploymentSpec spec, long keepAliveMs) throws InvokeException, InterruptedException {
        long begin = System.nanoTime();
        Map<String, Member> byName = membership.schedulable().stream()
                .filter(m -> m.status() != null && m.hasDeployment(spec.function(), spec.revision()))
                .collect(Collectors.toMap(Member::name, Function.identity()));
        List<NodeCandidate> candidates = byName.values().stream().map(m -> candidate(m, spec)).toList();
        List<NodeCandidate> ranked = Scheduler.rank(policy, candidates, spec.shape().memoryMib());
        if (ranked.isEmpty()) {
            throw new InvokeException(503, "no_nodes", "no live node can start " + spec.function() + " (needs "
                    + spec.shape().memoryMib() + " MiB and a free instance slot; " + candidates.size()
                    + " live node(s) hold the deployment); add nodes or stop other functions");
        }
        List<String> failures = new ArrayList<>();
        boolean startFailed = false;
        for (NodeCandidate candidate : ranked) {
            Member node = byName.get(candidate.name());
            long attempt = System.nanoTime();
            try (AutoCloseable reservation = node.reserve(spec.shape().memoryMib())) {
                List<PeerSource> peers = peersFor(node, spec);
                node.noteStarting(spec.function(), spec.revision());
                InstanceView view = startOn(node, spec, keepAliveMs,
                        membership.signers(spec.function(), spec.revision()), peers);
                node.noteStarted(spec.function(), spec.revision());
                double scheduleMs = (attempt - begin) / 1e6;
                return new Started(new Instance(view.id(), node, spec.revision(), view.start()), scheduleMs);
            } catch (ApiClient.ApiException e) {
                startFailed |= "start_failed".equals(e.code());
                failures.add(node.name() + ": " + e.status() + " " + e.code() + " (" + e.getMessage() + ")");
            } catch (IOException e) {
                failures.add(node.name() + ": " + e.getMessage());
            } catch (InterruptedException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("releasing a reservation cannot fail", e);
            }
        }
        if (startFailed) {
            throw new InvokeException(500, "start_failed", spec.function() + " failed to start: "
                    + String.join("; ", failures));
        }
        throw new InvokeException(503, "no_nodes", "no node could start " + spec.function() + ": "
                + String.join("; ", failures));
    }

    /**
     * Asks the node a cold start of {@code spec} would go to now to fetch its snapshot into its cache, within its
     * budget, if it was published by a node allowed to. Best effort: a failure is logged and changes nothing.
     */
    void prefetch(DeploymentSpec spec) {
        List<NodeCandidate> candidates = membership.schedulable().stream()
                .filter(m -> m.status() != null && m.hasDeployment(spec.function(), spec.revision()))
                .map(m -> candidate(m, spec)).toList();
        List<NodeCandidate> ranked = Scheduler.rank(policy, candidates, spec.shape().memoryMib());
        if (ranked.isEmpty() || ranked.getFirst().cachesRevision()) {
            return;
        }
        String name = ranked.getFirst().name();
        membership.schedulable().stream().filter(m -> m.name().equals(name)).findFirst().ifPresent(node -> {
            try {
                // The node verifies the snapshot against the same signers a start on it would be sent.
                PrefetchRequest request = new PrefetchRequest(membership.signers(spec.function(), spec.revision()));
                node.json("POST", "v1/deployments/" + spec.function() + "/" + spec.revision() + "/prefetch",
                        request, null, Duration.ofMillis(spec.initTimeoutMs()).plusSeconds(30));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "prefetch of {0} on {1} failed: {2}", spec.function(), name,
                        e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * The other live nodes that hold the revision's snapshot, whole first (the manifest comes from the first of
     * those when the store has none yet), then those that hold part of it or are starting it now (a burst's
     * nodes read from each other what each has fetched), each with the peer credential that lets {@code node}
     * read from it and from nothing else. The node asks them, per chunk in rendezvous order, before the store.
     */
    private List<PeerSource> peersFor(Member node, DeploymentSpec spec) {
        List<PeerSource> peers = new ArrayList<>();
        if (!peerFetch) {
            return peers;
        }
        List<Member> whole = new ArrayList<>();
        List<Member> part = new ArrayList<>();
        for (Member holder : membership.schedulable()) {
            if (holder.name().equals(node.name()) || holder.callToken() == null) {
                continue;
            }
            if (holder.holdsSnapshot(spec.function(), spec.revision())) {
                whole.add(holder);
            } else if (holder.holdsPart(spec.function(), spec.revision())) {
                part.add(holder);
            }
        }
        int wholeHolders = whole.size();
        whole.addAll(part);
        for (Member holder : whole) {
            if (peers.size() == StartRequest.MAX_PEERS) {
                break;
            }
            peers.add(new PeerSource(holder.name(), holder.url().toString(),
                    NodeTokens.peerToken(holder.callToken(), node.name()), peers.size() < wholeHolders));
        }
        return peers;
    }

    private static InstanceView startOn(Member node, DeploymentSpec spec, long keepAliveMs,
            Map<String, String> signers, List<PeerSource> peers) throws IOException, InterruptedException {
        Duration timeout = Duration.ofMillis(spec.initTimeoutMs()).plusSeconds(30);
        StartRequest request = new StartRequest(spec.function(), spec.revision(), keepAliveMs, signers, peers);
        try {
            return node.json("POST", "v1/instances", request, InstanceView.class, timeout);
        } catch (ApiClient.ApiException e) {
            if (!"unknown_deployment".equals(e.code())) {
                throw e;
            }
            // The node lost the deployment (restarted between heartbeats): hand it over again, once.
            node.json("PUT", "v1/deployments/" + spec.function() + "/" + spec.revision(), spec, null,
                    Duration.ofSeconds(30));
            return node.json("POST", "v1/instances", request, InstanceView.class, timeout);
        }
    }

    /** The node's last report, less what recent starts took that the report may not show yet. */
    private static NodeCandidate candidate(Member member, DeploymentSpec spec) {
        NodeStatus s = member.status();
        long[] reserved = member.reserved();
        return new NodeCandidate(member.name(), Math.max(0, s.memoryMibFree() - reserved[1]), s.memoryMibTotal(),
                (int) Math.max(0, s.slotsFree() - reserved[0]), s.slotsTotal(),
                s.presentFraction(spec.function(), spec.revision()), NodeCandidate.UNKNOWN_BYTES);
    }
}
