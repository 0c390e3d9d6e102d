package dev.thaw.node.peer;

import dev.thaw.api.FunctionId;
import dev.thaw.http.BearerGuard;
import dev.thaw.http.Exchange;
import dev.thaw.http.HttpError;
import dev.thaw.http.Routes;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.wire.v1.node.NodeApi;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The node's read-only peer routes: another node of the cluster reads a snapshot's signed manifest
 * and its chunks from this node's caches. Only a peer credential opens them ({@link NodeTokens#peerToken}),
 * and a peer credential opens nothing else:
 * <ul>
 *   <li>{@code GET /v1/peer/snapshots/{function}/{revision}/info.json} and {@code .../info.sig}</li>
 *   <li>{@code GET /v1/peer/chunks/{sha256}}, one zstd frame, with an optional single {@code Range: bytes=a-b}</li>
 * </ul>
 * Refused: no or a wrong credential (401), a malformed name or digest (400), something this node
 * does not hold (404), a range past the chunk's end (416).
 */
public final class PeerRoutes {
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");
    private static final String OCTETS = "application/octet-stream";

    private PeerRoutes() {
    }

    /**
     * Adds the peer routes to {@code routes}.
     *
     * @param callToken this node's call token now (null until it has one: then no peer is accepted)
     */
    public static void add(Routes routes, Supplier<String> callToken, Supplier<PeerHoldings> holdings) {
        BearerGuard peers = BearerGuard.principals(token -> NodeTokens.peerOf(token, callToken.get()));
        for (boolean json : new boolean[] {true, false}) {
            String path = (json ? NodeApi.PEER_MANIFEST : NodeApi.PEER_SIGNATURE).pathTemplate();
            routes.guarded(peers, "GET", path, (request, response) -> manifest(request, response, holdings, json));
        }
        routes.guarded(peers, "GET", NodeApi.PEER_CHUNK.pathTemplate(), (request, response) -> {
            String digest = param(request, "digest");
            if (!DIGEST.matcher(digest).matches()) {
                throw new HttpError(400, "bad_request", "a chunk is named by its SHA-256: 64 lower-case hex digits");
            }
            Optional<byte[]> frame = holdings.get().chunkFrame(digest);
            if (frame.isEmpty()) {
                throw new HttpError(404, "not_held", "this node holds no chunk " + digest);
            }
            sendRange(request, response, frame.get());
        });
    }

    private static void manifest(ServerRequest request, ServerResponse response, Supplier<PeerHoldings> holdings,
            boolean json) throws IOException {
        String function = param(request, "function");
        String revision = param(request, "revision");
        if (!FunctionId.isKey(function) || !REVISION.matcher(revision).matches()) {
            throw new HttpError(400, "bad_request", "invalid function or revision name");
        }
        Optional<PeerHoldings.Manifest> manifest = holdings.get().manifest(function, revision);
        if (manifest.isEmpty()) {
            throw new HttpError(404, "not_held", "this node holds no whole snapshot of " + function + "/" + revision);
        }
        Exchange.send(response, 200, Exchange.JSON, json ? manifest.get().json() : manifest.get().signature());
    }

    private static void sendRange(ServerRequest request, ServerResponse response, byte[] body) throws IOException {
        Optional<String> range = Exchange.header(request, "Range");
        if (range.isEmpty()) {
            Exchange.send(response, 200, OCTETS, body);
            return;
        }
        Matcher m = RANGE.matcher(range.get().strip());
        if (!m.matches()) {
            throw new HttpError(400, "bad_range", "only one range 'bytes=FIRST-LAST' is served, got '"
                    + range.get() + "'");
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? body.length - 1L : Long.parseLong(m.group(2));
        if (first >= body.length || last < first) {
            throw new HttpError(416, "range_not_satisfiable", "the chunk's frame is " + body.length
                    + " bytes; range " + range.get() + " is past its end",
                    Map.of("Content-Range", "bytes */" + body.length));
        }
        last = Math.min(last, body.length - 1L);
        response.header("Content-Range", "bytes " + first + "-" + last + "/" + body.length);
        Exchange.send(response, 206, OCTETS, Arrays.copyOfRange(body, (int) first, (int) last + 1));
    }

    private static String param(ServerRequest request, String name) {
        return request.path().pathParameters().get(name);
    }
}
