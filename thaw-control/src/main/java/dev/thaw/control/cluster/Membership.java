package dev.thaw.control.cluster;

import dev.thaw.snapshot.trust.SignerKeys;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The nodes of the cluster: registration, heartbeats, and liveness. A node silent
 * for longer than the liveness timeout is suspect: no new start is placed on it, but
 * its instances and calls in flight stay, and its next heartbeat makes it schedulable
 * again. Silent for {@value #DEATH_FACTOR} times the timeout it is declared dead:
 * listeners are told (so routers forget its instances) and its in-flight calls fail.
 * A dead node that heartbeats gets 404 {@code unknown_node} and registers again.
 *
 * <p>Two stages because a busy host delays heartbeats: on two cores making snapshots,
 * a node's 1 s heartbeats were seen 3.2 s apart. Keeping new work off a late node costs
 * little; failing the work it is doing costs the caller a retry.
 */
public final class Membership implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Membership.class.getName());
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    /** Told about joins and deaths, on the thread that noticed them; must not block for long. */
    public interface Listener {
        default void joined(Member member) {
        }

        default void died(Member member, String reason) {
        }
    }

    /** A node silent this many liveness timeouts is dead. */
    public static final int DEATH_FACTOR = 3;

    private final Duration livenessTimeout;
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> livenessCheck;
    private final InstantSource clock;

    /** A registration that would take over what another live node holds. */
    public static final class Conflict extends IllegalArgumentException {
        Conflict(String message) {
            super(message);
        }
    }

    /** How the gateway's clients reach nodes (connect timeout, response cap, the CA of {@code https://} nodes). */
    private volatile dev.thaw.http.ClientOptions nodeClients = dev.thaw.http.ClientOptions.of(Duration.ofSeconds(2));

    /** Nodes that register from now on are called with {@code options}. */
    public void useNodeClients(dev.thaw.http.ClientOptions options) {
        this.nodeClients = options;
    }

    /** Liveness on the system clock, checked on {@code timer}. */
    public Membership(Duration livenessTimeout, ScheduledExecutorService timer) {
        this(livenessTimeout, timer, InstantSource.system());
    }

    /**
     * @param timer runs the periodic liveness check
     * @param clock what heartbeat times are read from (and the liveness check compares with)
     */
    public Membership(Duration livenessTimeout, ScheduledExecutorService timer, InstantSource clock) {
        this.livenessTimeout = livenessTimeout;
        this.clock = clock;
        long period = Math.max(20, livenessTimeout.toMillis() / 10);
        this.livenessCheck = timer.scheduleWithFixedDelay(this::checkLiveness, period, period, TimeUnit.MILLISECONDS);
    }

    public static boolean validNodeName(String name) {
        return name != null && NODE_NAME.matcher(name).matches() && !name.contains("..");
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Registers a node, or registers it again: a node that registers while we
     * still think it alive has restarted, so its old instances are gone too.
     * The caller has checked that the request comes from {@code request.node()}.
     *
     * @param callToken the bearer token the gateway presents to this node
     * @throws Conflict when another live node is registered at the same URL
     */
    public Member register(RegisterRequest request, String callToken) {
        if (!validNodeName(request.node())) {
            throw new IllegalArgumentException("invalid node name '" + request.node()
                    + "': use 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        URI url;
        try {
            url = URI.create(request.url().endsWith("/") ? request.url() : request.url() + "/");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid node url '" + request.url() + "': " + e.getMessage(), e);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("node url must be http:// or https:// with a host, got '"
                    + request.url() + "'");
        }
        checkSigningKey(request.node(), request.signingKey());
        if (callToken == null || callToken.isBlank()) {
            throw new IllegalArgumentException("a node needs a token to be called with");
        }
        Member fresh;
        synchronized (members) {
            // Two names at one URL would send one node's calls to the other.
            for (Member other : members.values()) {
                if (other.alive() && other.url().equals(url) && !other.name().equals(request.node())) {
                    throw new Conflict("node " + other.name() + " is registered at " + url + "; node "
                            + request.node() + " cannot register there too");
                }
            }
            fresh = new Member(request.node(), url, callToken, request.signingKey(), nodeClients, clock);
        }
        Member old = members.put(request.node(), fresh);
        if (old != null && old.alive()) {
            declareDead(old, "it registered again (restarted)");
        }
        LOG.log(Level.INFO, "node " + fresh + " registered");
        listeners.forEach(l -> l.joined(fresh));
        return fresh;
    }

    /** Records a heartbeat; false when the node is unknown or was declared dead (it must register again). */
    public boolean heartbeat(String node, NodeStatus status) {
        Member member = members.get(node);
        if (member == null || !member.alive()) {
            return false;
        }
        if (member.signingKey() == null && status.signingKey() != null) {
            checkSigningKey(node, status.signingKey());
            member.learnSigningKey(status.signingKey());
        }
        if (member.suspect()) {
            LOG.log(Level.INFO, "node " + node + " reports again; new starts may go to it");
        }
        member.heartbeat(status);
        return true;
    }

    private static void checkSigningKey(String node, String key) {
        if (key != null) {
            try {
                SignerKeys.parse(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid signing key of node '" + node + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * The snapshot signing keys, by node name, of the nodes that hold {@code function}'s
     * {@code revision}: those this gateway let run, and so snapshot and publish, it. Nodes
     * declared dead stay, so what they published stays usable.
     */
    public Map<String, String> signers(String function, String revision) {
        Map<String, String> keys = new java.util.TreeMap<>();
        for (Member member : members.values()) {
            if (member.signingKey() != null && member.hasDeployment(function, revision)) {
                keys.put(member.name(), member.signingKey());
            }
        }
        return keys;
    }

    public Optional<Member> find(String node) {
        return Optional.ofNullable(members.get(node));
    }

    /** Every node we know, dead ones included, by name. */
    public List<Member> all() {
        return members.values().stream().sorted(Comparator.comparing(Member::name)).toList();
    }

    public List<Member> alive() {
        return all().stream().filter(Member::alive).toList();
    }

    /** The live nodes heard from within the liveness timeout: where new starts may go. */
    public List<Member> schedulable() {
        return all().stream().filter(Member::schedulable).toList();
    }

    public Duration livenessTimeout() {
        return livenessTimeout;
    }

    /**
     * Marks suspect every live node silent for longer than the liveness timeout, and declares dead
     * every one silent for {@value #DEATH_FACTOR} times as long.
     */
    public void checkLiveness() {
        long now = Member.nanos(clock.instant());
        long limitMs = livenessTimeout.toMillis();
        for (Member member : members.values()) {
            long silentMs = (now - member.lastHeartbeatNanos()) / 1_000_000;
            if (!member.alive()) {
                continue;
            }
            if (silentMs > limitMs * DEATH_FACTOR) {
                declareDead(member, "no heartbeat for " + silentMs + " ms (limit " + limitMs * DEATH_FACTOR + " ms)");
            } else if (silentMs > limitMs && !member.suspect()) {
                member.suspect(true);
                LOG.log(Level.INFO, "node " + member.name() + " is late: no heartbeat for " + silentMs
                        + " ms; no new starts go to it until it reports again");
            }
        }
    }

    /** Takes the node out of scheduling at once, fails its in-flight calls and tells listeners. */
    public void declareDead(Member member, String reason) {
        synchronized (member) {
            if (!member.alive()) {
                return;
            }
            member.die(reason);
        }
        LOG.log(Level.WARNING, "node " + member.name() + " declared dead: " + reason);
        for (Listener listener : listeners) {
            try {
                listener.died(member, reason);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "listener failed on death of " + member.name(), e);
            }
        }
    }

    @Override
    public void close() {
        livenessCheck.cancel(false);
        members.values().forEach(Member::close);
    }
}
