package dev.thaw.node.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two credentials of a node, and how one follows from the other.
 *
 * <ul>
 *   <li>The <b>node token</b>, {@code <node name>.<64 hex digits>}, made by the node from 256
 *       random bits and bound to its name by the gateway when the node joins. The node presents it
 *       to the gateway; its name part lets the gateway find the binding without a search, and the
 *       gateway accepts it only for that name.</li>
 *   <li>The <b>call token</b>, 64 hex digits: HMAC-SHA256 of a fixed label under the node token.
 *       The gateway presents it when it calls the node, and the node accepts nothing else. The
 *       gateway derives it from the node token it sees at registration, so it never stores it;
 *       another node cannot derive it without this node's token; and having no name part, it is
 *       never a node token the gateway would accept.</li>
 * </ul>
 */
public final class NodeTokens {
    private static final Pattern NODE_TOKEN = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_.-]{0,62})\\.([0-9a-f]{64})");
    private static final byte[] CALL_LABEL = "thaw: the gateway calls this node".getBytes(StandardCharsets.UTF_8);
    private static final String PEER_LABEL = "thaw: a peer reads snapshots from this node: ";
    private static final Pattern PEER_TOKEN = Pattern.compile("peer:([A-Za-z0-9][A-Za-z0-9_.-]{0,62}):[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeTokens() {
    }

    /** A fresh node token for {@code node}: 256 random bits after the name. */
    public static String issue(String node) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return node + "." + HexFormat.of().formatHex(secret);
    }

    /** The node a token claims to be for, when it has the form of a node token. */
    public static Optional<String> nodeOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        var m = NODE_TOKEN.matcher(token);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The token the gateway presents to the node that holds {@code nodeToken}. */
    public static String callToken(String nodeToken) {
        return HexFormat.of().formatHex(hmac(nodeToken.getBytes(StandardCharsets.UTF_8), CALL_LABEL));
    }

    /**
     * The peer credential with which node {@code caller} reads snapshots from the node whose call token is
     * {@code holderCallToken}: {@code peer:<caller>:<HMAC-SHA256 of a label and the caller's name under the call
     * token>}. The gateway, which holds every call token, hands it out with start requests; the holder checks it
     * with its own call token and nothing else; it opens only the holder's read-only peer routes, and only for
     * that caller.
     */
    public static String peerToken(String holderCallToken, String caller) {
        return "peer:" + caller + ":" + HexFormat.of().formatHex(hmac(holderCallToken.getBytes(StandardCharsets.UTF_8),
                (PEER_LABEL + caller).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The caller a presented peer token names, when it is the one {@link #peerToken} gives for that caller under
     * {@code callToken} (compared in constant time); empty otherwise, and while this node has no call token.
     */
    public static Optional<String> peerOf(String presented, String callToken) {
        if (presented == null || callToken == null || callToken.isEmpty()) {
            return Optional.empty();
        }
        var m = PEER_TOKEN.matcher(presented);
        if (!m.matches()) {
            return Optional.empty();
        }
        String expected = peerToken(callToken, m.group(1));
        return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8)) ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** HMAC-SHA256 of {@code data} under {@code key}. */
    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
