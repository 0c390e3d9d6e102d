package dev.thaw.node;

/**
 * How much of a revision's snapshot is on this node, in bytes, for the scheduler: a node with most of a
 * snapshot starts from it sooner than one with little. Implemented by whatever holds the node's snapshot
 * data; a chunk shared by several revisions counts for each of them. Called on every status report, for
 * every revision deployed on the node or cached there, so it must answer from memory.
 */
public interface RevisionPresence {

    /** Presence of a node that keeps no snapshots. */
    RevisionPresence NONE = new RevisionPresence() {
        @Override
        public long presentBytes(String function, String revision) {
            return 0;
        }

        @Override
        public long totalBytes(String function, String revision) {
            return 0;
        }
    };

    /** Bytes of the revision's snapshot on this node, 0 to {@link #totalBytes}. */
    long presentBytes(String function, String revision);

    /** The revision's whole snapshot in the unit of {@link #presentBytes}; 0 when this node does not know it. */
    long totalBytes(String function, String revision);
}
