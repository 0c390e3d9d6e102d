package dev.thaw.control.extender;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.wire.v1.node.CacheKeys;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.PresentRevision;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The extender's view of a Thaw cluster without Kubernetes: the live nodes'
 * last reports to the gateway. Lets {@code thaw up} answer the same
 * {@code filter}/{@code prioritize} calls a kube-scheduler would send, over
 * real cache contents.
 */
public final class MembershipCacheView implements CacheView {
    private final Membership membership;

    public MembershipCacheView(Membership membership) {
        this.membership = membership;
    }

    @Override
    public Optional<NodeCacheState> node(String nodeName) {
        return membership.find(nodeName).filter(Member::alive).map(Member::status).map(MembershipCacheView::state);
    }

    private static NodeCacheState state(NodeStatus status) {
        Set<String> revisions = new HashSet<>();
        Map<String, Double> partial = new HashMap<>();
        if (status.present() != null) {
            for (PresentRevision p : status.present()) {
                String key = RevisionOfPod.key(p.function(), p.revision());
                if (p.fraction() >= 1) {
                    revisions.add(key);
                } else if (p.fraction() > 0) {
                    partial.merge(key, p.fraction(), Math::max);
                }
            }
            revisions.forEach(partial::remove);
        } else {
            // A node that does not report presence: its cached snapshots (snapshots/<function>/<revision>) are
            // whole; the extender's keys are <function>/<revision>.
            status.cached().stream().map(e -> CacheKeys.revision(e.key())).flatMap(Optional::stream)
                    .forEach(r -> revisions.add(RevisionOfPod.key(r[0], r[1])));
        }
        return new NodeCacheState(revisions, partial, status.memoryMibFree(), status.memoryMibTotal(),
                status.slotsFree(), status.slotsTotal());
    }
}
