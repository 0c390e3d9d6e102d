package dev.thaw.wire.v1.node;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node that holds a revision's snapshot (whole, or some of its chunks), as the gateway passes it
 * with a start request: the starting node may read the snapshot's manifest and chunks from it
 * before it asks the store.
 *
 * @param node the holder's name
 * @param url where the holder serves its API
 * @param token the peer credential that opens the holder's read-only peer routes to the starting node only
 * @param whole true when the holder's last report listed the snapshot whole (or a start of it just took it
 *     there); false when it holds some of its chunks or is starting it, or when the gateway does not say
 */
public record PeerSource(String node, String url, String token, boolean whole) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    /** Longer tokens and URLs are refused: real ones are far shorter. */
    public static final int MAX_TEXT = 2048;

    public PeerSource {
        Objects.requireNonNull(node, "peer node is missing");
        Objects.requireNonNull(url, "peer url is missing");
        Objects.requireNonNull(token, "peer token is missing");
        if (!NAME.matcher(node).matches()) {
            throw new IllegalArgumentException("invalid peer node name '" + node + "'");
        }
        if (url.length() > MAX_TEXT || token.length() > MAX_TEXT) {
            throw new IllegalArgumentException("peer url and token take at most " + MAX_TEXT + " characters");
        }
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("peer url must be http:// or https://, got '" + url + "'");
        }
    }
}
