package dev.thaw.wire.v1.node;

import java.util.List;
import java.util.Map;

/**
 * Asks a node for a new instance of a deployed revision.
 *
 * @param keepAliveMs how long the gateway keeps the instance when idle; the node stops it on its own once it
 *     has been idle this long plus a grace period (null: the node's default)
 * @param signers the public signing keys (base64 X.509 Ed25519), by node name, of the nodes that may have
 *     published this revision's snapshot; a snapshot in the store signed by any other key is refused
 *     (null or empty: only the node's own key)
 * @param peers nodes that hold this revision's snapshot, asked for its manifest and chunks before the store
 *     (null or empty: the store only)
 */
public record StartRequest(String function, String revision, Long keepAliveMs, Map<String, String> signers,
        List<PeerSource> peers) {

    /** At most this many signers; a cluster has fewer nodes. */
    public static final int MAX_SIGNERS = 4096;
    /** At most this many peers: a start asks a few holders, not the whole cluster. */
    public static final int MAX_PEERS = 64;

    public StartRequest {
        signers = signers == null ? Map.of() : Map.copyOf(signers);
        if (signers.size() > MAX_SIGNERS) {
            throw new IllegalArgumentException("at most " + MAX_SIGNERS + " signers, got " + signers.size());
        }
        peers = peers == null ? List.of() : List.copyOf(peers);
        if (peers.size() > MAX_PEERS) {
            throw new IllegalArgumentException("at most " + MAX_PEERS + " peers, got " + peers.size());
        }
    }

    public StartRequest(String function, String revision, Long keepAliveMs, Map<String, String> signers) {
        this(function, revision, keepAliveMs, signers, List.of());
    }

    public StartRequest(String function, String revision, Long keepAliveMs) {
        this(function, revision, keepAliveMs, Map.of());
    }

    public StartRequest(String function, String revision) {
        this(function, revision, null);
    }
}
