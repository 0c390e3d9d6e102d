package dev.thaw.control.cluster;

import dev.thaw.api.Json;
import dev.thaw.node.http.ApiClient;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.http.Client;
import dev.thaw.http.ClientOptions;
import dev.thaw.http.Response;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One registered node: where it listens, what it last reported, and the calls in
 * flight to it. When the node is declared dead every in-flight call fails at once
 * with {@link NodeFailedException}, so no request waits on a node that is gone.
 */
public final class Member {
    private final String name;
    private final URI url;
    /** The public key the node signs snapshots with; null until it registered or reported one, then fixed. */
    private volatile String signingKey;
    private final Client http;
    private final String callToken;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Deployments ({@code function/revision}) this node accepted; only those can be started here. */
    private final Set<String> deployed = ConcurrentHashMap.newKeySet();
    /** When an instance of each revision last started here, by {@code function/revision}. */
    private final java.util.Map<String, Instant> started = new ConcurrentHashMap<>();
    /** Revisions a start was sent here for, and when: what such a start has read by now it serves to peers. */
    private final java.util.Map<String, Instant> starting = new ConcurrentHashMap<>();
    /** How long a start counts as "this node holds the snapshot" without a report saying so. */
    static final java.time.Duration STARTED_NOTE = java.time.Duration.ofMinutes(1);
    private volatile NodeStatus status;
    private volatile long lastHeartbeatNanos;
    private volatile Instant lastHeartbeat;
    private volatile String deathReason;
    /** Silent past the liveness timeout but not yet dead: no new starts go to it; see {@link Membership}. */
    private volatile boolean suspect;

    /**
     * Capacity this gateway handed out on the node that its heartbeats may not
     * show yet: starts in progress, and starts finished within the last
     * {@link #RESERVATION_HOLD}. Placement subtracts it from the last report, so
     * a burst of cold starts does not pile onto one node between heartbeats.
     */
    private final ConcurrentLinkedQueue<Reservation> reservations =
            new ConcurrentLinkedQueue<>();

    static final Duration RESERVATION_HOLD = Duration.ofMillis(2500);
    private static final Duration SETTLE = Duration.ofMillis(100);
    private final InstantSource clock;

    private static final class Reservation {
        final long memoryMib;
        volatile long releasedNanos = Long.MAX_VALUE;

        Reservation(long memoryMib) {
            this.memoryMib = memoryMib;
        }
    }

    Member(String name, URI url, String callToken, String signingKey) {
        this(name, url, callToken, signingKey, ClientOptions.of(Duration.ofSeconds(2)), InstantSource.system());
    }

    /** @param clock what heartbeat times and reservation holds are read from */
    Member(String name, URI url, String callToken, String signingKey, ClientOptions options, InstantSource clock) {
        this.clock = clock;
        this.signingKey = signingKey;
        this.name = name;
        this.url = url;
        this.callToken = callToken;
        this.http = Client.bearer(url, callToken, options);
        this.lastHeartbeat = clock.instant();
        this.lastHeartbeatNanos = nanos(lastHeartbeat);
    }

    /** Nanoseconds since the epoch of {@code instant}: a long holds them until 2262. */
    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private long now() {
        return nanos(clock.instant());
    }

    public String name() {
        return name;
    }

    public URI url() {
        return url;
    }

    /** The token this gateway calls the node with; for code in this process that calls the node directly. */
    public String callToken() {
        return callToken;
    }

    /** The public key (base64 X.509 Ed25519) the node signs its snapshots with; null when it registered none. */
    public String signingKey() {
        return signingKey;
    }

    /**
     * Takes the signing key a node reports in its status when it registered none (nodes found through
     * Kubernetes are registered by the gateway, which learns their key only from their status). A key,
     * once known, never changes while this member lives: a node with a new key registers again.
     */
    synchronized void learnSigningKey(String reported) {
        if (signingKey == null && reported != null) {
            signingKey = reported;
        }
    }

    public boolean alive() {
        return deathReason == null;
    }

    /** Alive and heard from within the liveness timeout: new starts may be placed on it. */
    public boolean schedulable() {
        return alive() && !suspect;
    }

    boolean suspect() {
        return suspect;
    }

    void suspect(boolean value) {
        suspect = value;
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
        // A report that arrives well after a start finished already counts its instance.
        Instant at = clock.instant();
        long settled = nanos(at) - SETTLE.toNanos();
        reservations.removeIf(r -> r.releasedNanos < settled);
        status = newStatus;
        lastHeartbeat = at;
        lastHeartbeatNanos = nanos(at);
        suspect = false;
    }

    public boolean hasDeployment(String function, String revision) {
        return deployed.contains(function + "/" + revision);
    }

    public void markDeployed(String function, String revision) {
        deployed.add(function + "/" + revision);
    }

    public void forgetFunction(String function) {
        deployed.removeIf(key -> key.startsWith(function + "/"));
        started.keySet().removeIf(key -> key.startsWith(function + "/"));
        starting.keySet().removeIf(key -> key.startsWith(function + "/"));
    }

    /**
     * Notes that a start of the revision was sent here just now: while it restores, the chunks it has read
     * are in this node's chunk cache, and the other nodes of the same burst may read them from here.
     */
    public void noteStarting(String function, String revision) {
        starting.put(function + "/" + revision, clock.instant());
    }

    /**
     * True when this node may hold some of the revision's snapshot: its last report lists a part of it (chunks
     * shared with revisions it holds, or what a lazy start read), or a start of it was sent here within
     * {@link #STARTED_NOTE}. A peer that lacks a chunk answers 404 at once and the next source is asked.
     */
    public boolean holdsPart(String function, String revision) {
        if (holdsSnapshot(function, revision)) {
            return true;
        }
        NodeStatus current = status;
        if (current != null && current.presentFraction(function, revision) > 0) {
            return true;
        }
        Instant at = starting.get(function + "/" + revision);
        return at != null && clock.instant().isBefore(at.plus(STARTED_NOTE));
    }

    /**
     * Notes that an instance of the revision started here just now: its snapshot (whole after a boot or a
     * restore, or the chunks a lazy start read) is on this node before its next report says so.
     */
    public void noteStarted(String function, String revision) {
        started.put(function + "/" + revision, clock.instant());
    }

    /**
     * True when this node may serve the revision's snapshot or chunks of it to peers: its last report lists
     * the snapshot, or an instance of it started here within {@link #STARTED_NOTE}.
     */
    public boolean holdsSnapshot(String function, String revision) {
        NodeStatus current = status;
        if (current != null && current.caches(function, revision)) {
            return true;
        }
        Instant at = started.get(function + "/" + revision);
        return at != null && clock.instant().isBefore(at.plus(STARTED_NOTE));
    }

    /** Reserves room for a start; the returned handle is closed when the start finished (or failed). */
    public AutoCloseable reserve(long memoryMib) {
        Reservation reservation = new Reservation(memoryMib);
        reservations.add(reservation);
        return () -> reservation.releasedNanos = now();
    }

    /** Slots and memory reserved by recent starts, as {@code [slots, memoryMib]}. */
    public long[] reserved() {
        long now = now();
        reservations.removeIf(r -> r.releasedNanos != Long.MAX_VALUE && now - r.releasedNanos > RESERVATION_HOLD.toNanos());
        long slots = 0;
        long memory = 0;
        for (Reservation r : reservations) {
            slots++;
            memory += r.memoryMib;
        }
        return new long[] {slots, memory};
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
    public Response send(String method, String path, byte[] body, Map<String, String> headers,
            Duration timeout) throws NodeFailedException, InterruptedException {
        if (!alive()) {
            throw new NodeFailedException(name, deathReason);
        }
        inFlight.incrementAndGet();
        try {
            Response response = http.send(method, path, headers, body, timeout);
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
        Response response = send(method, path, bytes,
                bytes == null ? Map.of() : Map.of("Content-Type", "application/json"), timeout);
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
