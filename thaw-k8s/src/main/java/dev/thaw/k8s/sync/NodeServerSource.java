package dev.thaw.k8s.sync;

import dev.thaw.node.service.NodeServer;
import dev.thaw.snapshot.cache.CacheEvent;
import java.util.function.Consumer;

/** A running node's cache and capacity, as its own {@code /v1/status} reports them. */
public record NodeServerSource(NodeServer server) implements CacheStateSource {

    @Override
    public CacheSnapshot current() {
        return CacheSnapshot.of(server.service().status(server.url()));
    }

    @Override
    public void subscribe(Consumer<CacheEvent> listener) {
        server.service().addCacheListener(listener);
    }
}
