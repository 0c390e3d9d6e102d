package dev.thaw.node.peer;

import dev.thaw.http.ClientOptions;
import dev.thaw.wire.v1.node.PeerSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's clients of its peers, one per peer node, kept across starts (a lazily restored
 * instance reads chunks through them long after its start returned) and replaced when the gateway
 * names a peer at another address or with another credential. Closed with the node.
 */
public final class PeerClients implements AutoCloseable {
    /** The longest one read from a peer may take before the next source is asked. */
    public static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final int MAX_PEERS = 1024;

    private final Map<String, PeerObjectStore> clients = new ConcurrentHashMap<>();
    private final String self;
    private final Duration deadline;
    private volatile ClientOptions options = ClientOptions.of(Duration.ofSeconds(1));
    private volatile boolean closed;

    /** @param self this node's name: it never reads from itself */
    public PeerClients(String self, Duration deadline) {
        this.self = self;
        this.deadline = deadline;
    }

    /** How peers are reached (the cluster's CA when it serves TLS). */
    public void options(ClientOptions options) {
        this.options = options;
    }

    /** The clients of {@code sources}, in their order, this node left out. */
    public synchronized List<PeerObjectStore> of(List<PeerSource> sources) {
        List<PeerObjectStore> stores = new ArrayList<>();
        if (closed) {
            return stores;
        }
        for (PeerSource source : sources) {
            if (source.node().equals(self)) {
                continue;
            }
            URI url = URI.create(source.url());
            PeerObjectStore current = clients.get(source.node());
            if (current == null || !current.sameAs(url, source.token())) {
                if (current == null && clients.size() >= MAX_PEERS) {
                    continue;
                }
                // The old client may still serve a lazily restored instance; it goes with the node.
                PeerObjectStore replaced = clients.put(source.node(),
                        new PeerObjectStore(source.node(), url, source.token(), options, deadline));
                if (replaced != null) {
                    retired.add(replaced);
                }
                current = clients.get(source.node());
            }
            stores.add(current);
        }
        return stores;
    }

    private final List<PeerObjectStore> retired = new ArrayList<>();

    @Override
    public synchronized void close() {
        closed = true;
        clients.values().forEach(PeerObjectStore::close);
        retired.forEach(PeerObjectStore::close);
        clients.clear();
        retired.clear();
    }
}
