package dev.thaw.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.http.HttpApi;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.snapshot.trust.NodeKey;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.CachedEntry;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.InstanceView;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.wire.v1.node.StartReport;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the node process, speaking the node API of the cluster contract:
 * it registers and heartbeats to the gateway, accepts deployments, and starts echo
 * "instances" that answer after a configurable delay. No VMs.
 */
final class FakeNode implements AutoCloseable {
    /** Revisions ("function/revision") the gateway asked this node to prefetch, in order. */
    final java.util.List<String> prefetches = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The bodies of those prefetch requests, in the same order. */
    final List<dev.thaw.wire.v1.node.PrefetchRequest> prefetchRequests = new CopyOnWriteArrayList<>();
    final String name;
    final List<String> deletes = new CopyOnWriteArrayList<>();
    final Map<String, DeploymentSpec> deployments = new ConcurrentHashMap<>();
    final Map<String, String> instances = new ConcurrentHashMap<>();
    final Set<String> cached = ConcurrentHashMap.newKeySet();
    final AtomicInteger invokesInFlight = new AtomicInteger();
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger registrations = new AtomicInteger();
    final List<StartRequest> startRequests = new CopyOnWriteArrayList<>();
    /** The key it registers, as a node registers the key it signs snapshots with. */
    final NodeKey key;
    volatile long invokeDelayMs;
    volatile int slotsTotal = 8;
    volatile int busySlots;
    volatile boolean heartbeating = true;
    /** The node's own token, got by joining with the join token. */
    final String nodeToken;
    /** The token the gateway calls this node with; the only one its API accepts. */
    final String callToken;
    private final HttpServer server;
    private final ApiClient gateway;
    private final Thread heartbeats;
    private final AtomicInteger ids = new AtomicInteger();

    FakeNode(String name, URI gatewayUrl, String joinToken) throws IOException, InterruptedException {
        this.name = name;
        this.key = NodeKey.generate(name);
        this.nodeToken = NodeTokens.issue(name);
        new ApiClient(gatewayUrl, joinToken, Duration.ofSeconds(2)).json("POST", "v1/join",
                new JoinRequest(name, nodeToken), JoinResponse.class, Duration.ofSeconds(5));
        this.callToken = NodeTokens.callToken(nodeToken);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        this.gateway = new ApiClient(gatewayUrl, nodeToken, Duration.ofSeconds(2));
        gateway.json("POST", "v1/nodes", new RegisterRequest(name, url().toString(), key.publicKeyText()), null, Duration.ofSeconds(5));
        heartbeat();
        this.heartbeats = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(100);
                    if (heartbeating) {
                        heartbeat();
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (ApiClient.ApiException e) {
                    if (e.status() == 404) {
                        reregister(); // as a real node does when the gateway forgot it
                    }
                } catch (IOException e) {
                    // the gateway may be closing
                }
            }
        });
    }

    private void reregister() {
        try {
            gateway.json("POST", "v1/nodes", new RegisterRequest(name, url().toString(), key.publicKeyText()), null, Duration.ofSeconds(2));
            registrations.incrementAndGet();
        } catch (IOException e) {
            // tried again on the next heartbeat
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    NodeStatus status() {
        int free = Math.max(0, slotsTotal - busySlots - instances.size());
        List<CachedEntry> entries = cached.stream().map(k -> new CachedEntry("snapshots/" + k, 1, Instant.now(), 0))
                .toList();
        return new NodeStatus(name, url().toString(), "fake", 8192, 8192L * free / slotsTotal, slotsTotal, free,
                List.of(), null, entries, null, Instant.now());
    }

    void heartbeat() throws IOException, InterruptedException {
        gateway.json("PUT", "v1/nodes/" + name + "/heartbeat", status(), null, Duration.ofSeconds(2));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpApi.authorized(exchange, callToken)) {
                return;
            }
            String method = exchange.getRequestMethod();
            String[] p = exchange.getRequestURI().getPath().substring(1).split("/");
            String route = method + " " + String.join("/", p);
            if (method.equals("PUT") && p[1].equals("deployments")) {
                DeploymentSpec spec = HttpApi.json(exchange, 1L << 20, DeploymentSpec.class);
                deployments.put(p[2] + "/" + p[3], spec);
                HttpApi.send(exchange, 204, null, new byte[0]);
            } else if (method.equals("POST") && p.length == 5 && p[1].equals("deployments")
                    && p[4].equals("prefetch")) {
                prefetchRequests.add(HttpApi.json(exchange, 1L << 20, dev.thaw.wire.v1.node.PrefetchRequest.class));
                prefetches.add(p[2] + "/" + p[3]);
                HttpApi.json(exchange, 200, java.util.Map.of("fetched_bytes", 1));
            } else if (method.equals("DELETE") && p[1].equals("functions")) {
                deletes.add(route);
                deployments.keySet().removeIf(k -> k.startsWith(p[2] + "/"));
                instances.values().removeIf(f -> f.equals(p[2]));
                HttpApi.send(exchange, 204, null, new byte[0]);
            } else if (method.equals("POST") && p.length == 2 && p[1].equals("instances")) {
                StartRequest request = HttpApi.json(exchange, 1L << 20, StartRequest.class);
                startRequests.add(request);
                String key = request.function() + "/" + request.revision();
                if (!deployments.containsKey(key)) {
                    HttpApi.error(exchange, 404, "unknown_deployment", key + " is not deployed here");
                    return;
                }
                if (status().slotsFree() == 0) {
                    HttpApi.error(exchange, 503, "no_capacity", "no free slot");
                    return;
                }
                starts.incrementAndGet();
                String id = name + "-i" + ids.incrementAndGet();
                instances.put(id, request.function());
                boolean hit = cached.contains(key);
                StartReport record = new StartReport(hit ? StartReport.Tier.LOCAL : StartReport.Tier.BOOT, 1.5, 10,
                        hit ? 2.5 : 0, hit ? 10 : 0, 20, 3, 0, 25, List.of());
                HttpApi.json(exchange, 201, new InstanceView(id, request.function(), request.revision(),
                        Instant.now(), record));
            } else if (method.equals("POST") && p.length == 4 && p[3].equals("invoke")) {
                byte[] body = HttpApi.body(exchange, 6 << 20);
                if (!instances.containsKey(p[2])) {
                    HttpApi.error(exchange, 404, "unknown_instance", p[2]);
                    return;
                }
                invokesInFlight.incrementAndGet();
                try {
                    Thread.sleep(invokeDelayMs);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    invokesInFlight.decrementAndGet();
                }
                exchange.getResponseHeaders().set("X-Thaw-Guest-Ms", "1.0");
                HttpApi.send(exchange, 200, "text/plain", ("echo:" + new String(body, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
            } else if (method.equals("DELETE") && p[1].equals("instances")) {
                deletes.add(route);
                if (instances.remove(p[2]) == null) {
                    HttpApi.error(exchange, 404, "unknown_instance", p[2]);
                } else {
                    HttpApi.send(exchange, 204, null, new byte[0]);
                }
            } else {
                HttpApi.error(exchange, 404, "not_found", route);
            }
        }
    }

    @Override
    public void close() {
        heartbeats.interrupt();
        server.stop(0);
    }
}
