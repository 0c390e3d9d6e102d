package dev.thaw.node.peer;

import dev.thaw.api.SnapshotInfo;
import dev.thaw.http.ClientOptions;
import dev.thaw.node.http.ApiClient;
import dev.thaw.snapshot.store.ObjectNotFoundException;
import dev.thaw.snapshot.store.ObjectStore;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.snapshot.trust.InfoSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Another node's peer routes ({@link PeerRoutes}) seen as a read-only {@link ObjectStore} holding
 * {@code snapshots/<function>/<revision>/info.json}, {@code info.sig} and {@code chunks/<sha256>}:
 * the store's own keys, so that what a peer serves is read and verified exactly as what the store
 * serves. Every call is bounded by the peer's deadline and by the largest object it may answer.
 */
public final class PeerObjectStore implements ObjectStore {
    private final String node;
    private final URI url;
    private final String token;
    private final ApiClient client;
    private final Duration deadline;

    /**
     * @param token the peer credential the gateway gave this node for {@code node}
     * @param deadline the longest one read from this peer may take, connection included
     */
    public PeerObjectStore(String node, URI url, String token, ClientOptions options, Duration deadline) {
        this.node = node;
        this.url = url;
        this.token = token;
        this.deadline = deadline;
        this.client = new ApiClient(url, token, options.withMaxBodyBytes(ObjectStore.MAX_WHOLE_OBJECT_BYTES));
    }

    public String node() {
        return node;
    }

    /** True when this client reaches {@code url} with {@code token}. */
    boolean sameAs(URI url, String token) {
        return this.url.equals(url) && this.token.equals(token);
    }

    @Override
    public String describe() {
        return "peer " + node + " (" + url + ")";
    }

    /** The peer route of a store key, or null for keys peers do not serve (images, packs, registry). */
    static String pathOf(String key) {
        if (key.startsWith("chunks/")) {
            return "v1/peer/" + key;
        }
        if (key.startsWith("snapshots/") && (key.endsWith("/" + SnapshotInfo.FILE_NAME)
                || key.endsWith("/" + InfoSignature.FILE_NAME)) && key.split("/", -1).length == 4) {
            return "v1/peer/" + key;
        }
        return null;
    }

    @Override
    public byte[] get(String key) throws StoreException {
        return read(key, Map.of(), 200);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws StoreException {
        byte[] bytes = read(key, Map.of("Range", "bytes=" + offset + "-" + (offset + length - 1)), 206);
        if (bytes.length > length) {
            throw new StoreException(describe() + " answered " + bytes.length + " bytes for a range of " + length);
        }
        return bytes;
    }

    private byte[] read(String key, Map<String, String> headers, int expected) throws StoreException {
        String path = pathOf(key);
        if (path == null) {
            throw new ObjectNotFoundException(key);
        }
        HttpResponse<byte[]> response;
        try {
            response = client.call("GET", path, null, headers, deadline);
        } catch (IOException e) {
            throw new StoreException(describe() + ": reading " + key + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while reading " + key + " from " + describe(), e);
        }
        int status = response.statusCode();
        if (status == 404) {
            throw new ObjectNotFoundException(key);
        }
        if (status != expected) {
            throw new StoreException(describe() + " answered " + status + " for " + key + ": "
                    + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return response.body();
    }

    /** Unknown without reading it: callers bound the read itself. */
    @Override
    public OptionalLong size(String key) {
        return OptionalLong.empty();
    }

    @Override
    public List<String> list(String prefix) {
        return List.of();
    }

    @Override
    public void put(String key, java.nio.file.Path file) throws StoreException {
        throw readOnly();
    }

    @Override
    public void put(String key, byte[] bytes) throws StoreException {
        throw readOnly();
    }

    @Override
    public boolean create(String key, byte[] bytes) throws StoreException {
        throw readOnly();
    }

    @Override
    public void delete(String key) throws StoreException {
        throw readOnly();
    }

    private StoreException readOnly() {
        return new StoreException(describe() + " is read-only: a node writes only to the store");
    }

    @Override
    public void close() {
        client.close();
    }
}
