package dev.thaw.control.extender;

import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.wire.v1.node.CacheKeys;
import dev.thaw.wire.v1.node.NodeStatus;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
        // Cache keys are snapshots/<function>/<revision>; the extender's are <function>/<revision>.
        Set<String> revisions = status.cached().stream().map(e -> CacheKeys.revision(e.key()))
                .flatMap(Optional::stream).map(r -> RevisionOfPod.key(r[0], r[1])).collect(Collectors.toSet());
        return new NodeCacheState(revisions, status.memoryMibFree(), status.memoryMibTotal(), status.slotsFree(),
                status.slotsTotal());
    }
}
