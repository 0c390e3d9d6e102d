package dev.thaw.control.cluster;

import dev.thaw.api.Json;
import dev.thaw.node.api.NodeStatus;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.http.HttpApi;
import dev.thaw.node.http.PooledHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One registered node: where it listens, what it last reported, and the calls in
 * flight to it. When the node is declared dead every in-flight call fails at once
 * with {@link NodeFailedException}, so no request waits on a node that is gone.
 */
public final class Member {
    private final String name;
    private final URI url;
    private final String token;
    private final PooledHttpClient http;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Deployments ({@code function/revision}) this node accepted; only those can be started here. */
    private final Set<String> deployed = ConcurrentHashMap.newKeySet();
    private volatile NodeStatus status;
    private volatile long lastHeartbeatNanos;
    private volatile Instant lastHeartbeat;
    private volatile String deathReason;

    Member(String name, URI url, String token) {
        this.name = name;
        this.url = url;
        this.token = token;
        this.http = new PooledHttpClient(url, token, Duration.ofSeconds(2));
        this.lastHeartbeatNanos = System.nanoTime();
        this.lastHeartbeat = Instant.now();
    }

    public String name() {
        return name;
    }

    public URI url() {
        return url;
    }

    public boolean alive() {
        return deathReason == null;
    }

    /** The last reported status; null until the first heartbeat. */
    public NodeStatus status() {
        return status;
    }

    public Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    void heartbeat(NodeStatus newStatus) {
        status = newStatus;
        lastHeartbeat = Instant.now();
        lastHeartbeatNanos = System.nanoTime();
    }

    public boolean hasDeployment(String function, String revision) {
        return deployed.contains(function + "/" + revision);
    }

    public void markDeployed(String function, String revision) {
        deployed.add(function + "/" + revision);
    }

    public void forgetFunction(String function) {
        deployed.removeIf(key -> key.startsWith(function + "/"));
    }

    public int inFlightCalls() {
        return inFlight.get();
    }

    /** Marks the node dead and fails every call in flight to it: their connections are closed under them. */
    void die(String reason) {
        deathReason = reason;
        http.abortAll();
    }

    /** Closes the connections to a node that left for good. */
    void close() {
        http.close();
    }

    /**
     * Calls the node and returns its answer, whatever the status. Fails with
     * {@link NodeFailedException} when the node is dead, dies during the call, cannot
     * be reached or does not answer within {@code timeout}.
     */
    public PooledHttpClient.Response send(String method, String path, byte[] body, Map<String, String> headers,
            Duration timeout) throws NodeFailedException, InterruptedException {
        if (!alive()) {
            throw new NodeFailedException(name, deathReason);
        }
        inFlight.incrementAndGet();
        try {
            PooledHttpClient.Response response = http.send(method, path, headers, body, timeout);
            if (!alive()) {
                throw new NodeFailedException(name, deathReason);
            }
            return response;
        } catch (java.net.http.HttpTimeoutException e) {
            throw new NodeFailedException(name, "no answer to " + method + " " + path + " within "
                    + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            // A call broken by the node's death says why it died, not which socket call failed.
            throw new NodeFailedException(name, alive() ? "cannot reach it at " + url + " (" + e + ")"
                    : deathReason, e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Sends {@code body} as JSON and reads the answer into {@code type} (null: ignore it); non-2xx throws {@link ApiClient.ApiException}. */
    public <T> T json(String method, String path, Object body, Class<T> type, Duration timeout)
            throws IOException, InterruptedException {
        byte[] bytes = body == null ? null : Json.mapper().writeValueAsBytes(body);
        PooledHttpClient.Response response = send(method, path, bytes,
                bytes == null ? Map.of() : Map.of("Content-Type", HttpApi.JSON), timeout);
        ApiClient.check(response.status(), response.body());
        if (type == null || response.body().length == 0) {
            return null;
        }
        return Json.mapper().readValue(response.body(), type);
    }

    @Override
    public String toString() {
        return name + " (" + url + (alive() ? "" : ", dead: " + deathReason) + ")";
    }
}
