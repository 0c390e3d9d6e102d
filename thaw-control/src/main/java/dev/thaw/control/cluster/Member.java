package dev.thaw.control.cluster;

import dev.thaw.api.Json;
import dev.thaw.node.api.NodeStatus;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.http.HttpApi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * One registered node: where it listens, what it last reported, and the calls in
 * flight to it. When the node is declared dead every in-flight call fails at once
 * with {@link NodeFailedException}, so no request waits on a node that is gone.
 */
public final class Member {
    private final String name;
    private final URI url;
    private final String token;
    private final HttpClient http;
    private final Set<CompletableFuture<HttpResponse<byte[]>>> inFlight = ConcurrentHashMap.newKeySet();
    /** Deployments ({@code function/revision}) this node accepted; only those can be started here. */
    private final Set<String> deployed = ConcurrentHashMap.newKeySet();
    private volatile NodeStatus status;
    private volatile long lastHeartbeatNanos;
    private volatile Instant lastHeartbeat;
    private volatile String deathReason;

    Member(String name, URI url, String token, HttpClient http) {
        this.name = name;
        this.url = url;
        this.token = token;
        this.http = http;
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
        return inFlight.size();
    }

    /** Marks the node dead and fails every call in flight to it. */
    void die(String reason) {
        deathReason = reason;
        for (CompletableFuture<HttpResponse<byte[]>> call : inFlight) {
            call.completeExceptionally(new NodeFailedException(name, reason));
        }
        inFlight.clear();
    }

    /**
     * Calls the node and returns its answer, whatever the status. Fails with
     * {@link NodeFailedException} when the node is dead, dies during the call, cannot
     * be reached or does not answer within {@code timeout}.
     */
    public HttpResponse<byte[]> send(String method, String path, byte[] body, Map<String, String> headers,
            Duration timeout) throws NodeFailedException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<byte[]>> tracked = new CompletableFuture<>();
        inFlight.add(tracked);
        // Checked after adding, so a death between the two cannot leave the call untracked.
        if (!alive()) {
            inFlight.remove(tracked);
            throw new NodeFailedException(name, deathReason);
        }
        CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        call.whenComplete((response, error) -> {
            if (error != null) {
                tracked.completeExceptionally(error);
            } else {
                tracked.complete(response);
            }
        });
        try {
            return tracked.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            if (cause instanceof NodeFailedException failed) {
                throw new NodeFailedException(name, deathReason == null ? failed.getMessage() : deathReason, failed);
            }
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw new NodeFailedException(name, "no answer to " + method + " " + path + " within "
                        + timeout.toMillis() + " ms", cause);
            }
            throw new NodeFailedException(name, "cannot reach it at " + url + " (" + cause + ")", cause);
        } catch (CancellationException e) {
            throw new NodeFailedException(name, "call cancelled", e);
        } finally {
            inFlight.remove(tracked);
            call.cancel(true);
        }
    }

    /** Sends {@code body} as JSON and reads the answer into {@code type} (null: ignore it); non-2xx throws {@link ApiClient.ApiException}. */
    public <T> T json(String method, String path, Object body, Class<T> type, Duration timeout)
            throws IOException, InterruptedException {
        byte[] bytes = body == null ? null : Json.mapper().writeValueAsBytes(body);
        HttpResponse<byte[]> response = send(method, path, bytes,
                bytes == null ? Map.of() : Map.of("Content-Type", HttpApi.JSON), timeout);
        ApiClient.check(response);
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
