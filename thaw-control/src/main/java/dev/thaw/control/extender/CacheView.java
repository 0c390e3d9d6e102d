package dev.thaw.control.extender;

import java.util.Optional;

/**
 * The extender's read-only view of node caches, by node name. Implementations keep
 * it in memory: it is read on every scheduling request, for every candidate node.
 */
public interface CacheView {

    /** The node's last known state; empty when it has not reported or its report is unusable. */
    Optional<NodeCacheState> node(String nodeName);
}
