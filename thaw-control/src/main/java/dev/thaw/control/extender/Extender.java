package dev.thaw.control.extender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.control.scheduling.NodeCandidate;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.control.scheduling.Scoring;
import dev.thaw.wire.v1.extender.ExtenderArgs;
import dev.thaw.wire.v1.extender.ExtenderFilterResult;
import dev.thaw.wire.v1.extender.HostPriority;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Thaw's placement as a kube-scheduler extender: the same {@link Scoring} the
 * gateway uses, over a {@link CacheView} of node reports. Reads only memory; no
 * call leaves the process.
 *
 * <p>Only pods that name a function revision ({@link RevisionOfPod}) are Thaw's
 * business. Other pods pass every filter and get score 0 on every node: a flat
 * score adds the same to each node's total, so kube-scheduler places them exactly
 * as it would without this extender (a load-based score would instead bias them
 * towards nodes with idle Thaw slots, which they do not use).
 *
 * <p>A node without state (never reported, report unreadable) is never filtered
 * out, since missing data must not block scheduling, and scores as an idle node
 * without the snapshot: it ranks below an idle holder, above a loaded one.
 */
public final class Extender {
    private final CacheView view;
    private final SchedulerPolicy policy;

    public Extender(CacheView view, SchedulerPolicy policy) {
        this.view = Objects.requireNonNull(view, "view");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public SchedulerPolicy policy() {
        return policy;
    }

    /** Drops the nodes known to have no free slot or less free memory than the pod requests. */
    public ExtenderFilterResult filter(ExtenderArgs args) {
        boolean thawPod = RevisionOfPod.of(args.pod()).isPresent();
        OptionalLong memoryMib = thawPod ? PodRequests.memoryMib(args.pod()) : OptionalLong.empty();
        Map<String, String> failed = new LinkedHashMap<>();
        List<Integer> kept = new ArrayList<>(args.nodeNames().size());
        for (int i = 0; i < args.nodeNames().size(); i++) {
            String name = args.nodeNames().get(i);
            String reason = thawPod ? shortage(view.node(name), memoryMib) : null;
            if (reason == null) {
                kept.add(i);
            } else {
                failed.put(name, reason);
            }
        }
        if (args.namesOnly()) {
            List<String> names = kept.stream().map(args.nodeNames()::get).toList();
            return new ExtenderFilterResult(null, names, failed, Map.of(), null);
        }
        ObjectNode list = args.nodeList().deepCopy();
        ArrayNode items = list.putArray("items");
        JsonNode original = args.nodeList().get("items");
        kept.forEach(i -> items.add(original.get(i)));
        return new ExtenderFilterResult(list, null, failed, Map.of(), null);
    }

    /** Why the node cannot take the pod now, or null if it can (or nothing is known about it). */
    private static String shortage(Optional<NodeCacheState> known, OptionalLong memoryMib) {
        if (known.isEmpty()) {
            return null;
        }
        NodeCacheState state = known.get();
        if (state.slotsFree() <= 0) {
            return "thaw: no free function slot (" + state.slotsTotal() + " of " + state.slotsTotal() + " in use)";
        }
        if (memoryMib.isPresent() && state.memoryMibFree() < memoryMib.getAsLong()) {
            return "thaw: " + state.memoryMibFree() + " MiB free, the pod requests " + memoryMib.getAsLong() + " MiB";
        }
        return null;
    }

    /** A score 0..{@value HostPriority#MAX_SCORE} per candidate node, in request order. */
    public List<HostPriority> prioritize(ExtenderArgs args) {
        Optional<String> revision = RevisionOfPod.of(args.pod());
        List<HostPriority> scores = new ArrayList<>(args.nodeNames().size());
        for (String name : args.nodeNames()) {
            scores.add(new HostPriority(name, revision.isEmpty() ? 0 : score(name, revision.get())));
        }
        return scores;
    }

    private long score(String nodeName, String revision) {
        NodeCandidate candidate = view.node(nodeName).map(s -> s.candidate(nodeName, revision))
                .orElseGet(() -> NodeCacheState.unknown(nodeName));
        return scaled(Scoring.score(policy, candidate));
    }

    /** 0..100 to kube-scheduler's 0..10, rounded half up. */
    static long scaled(int score) {
        return (score * HostPriority.MAX_SCORE + 50) / 100;
    }
}
