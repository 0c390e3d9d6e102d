package dev.thaw.node.service;

import dev.thaw.http.ClientOptions;
import dev.thaw.node.http.ApiClient;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;

/**
 * A node's membership in the gateway. Without a credential of its own the node first joins: it
 * makes a node token, keeps it in its {@link IdentityFile}, and asks the gateway, with the
 * cluster's join token, to bind it to its name (asking again is safe, so a lost answer costs
 * nothing). It then registers and sends its status every interval with that node token, on a
 * daemon thread, and after a restart registers with the kept token without joining. A 404 on a
 * heartbeat means the gateway forgot the node (it restarted, or declared the node dead), so the
 * node registers again; a 401 means the gateway does not know the token (its binding was removed,
 * or the join never reached it), so the node joins again with the same token. While the gateway
 * is unreachable it keeps trying, logging once per change of state rather than once per attempt.
 */
public final class GatewayLink implements AutoCloseable {
    private static final Logger LOG = System.getLogger(GatewayLink.class.getName());

    private enum State { STARTING, CONNECTED, UNREACHABLE, REFUSED }

    private final URI gatewayUrl;
    private final ApiClient joining;
    private final IdentityFile identityFile;
    private final Consumer<String> onCallToken;
    private final String node;
    private final URI nodeUrl;
    private final Duration interval;
    private final Duration timeout;
    private final Supplier<NodeStatus> status;
    private final Supplier<Runnable> onRegistration;
    private final String signingKey;
    private final Optional<Path> tlsCa;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    private State state = State.STARTING;
    private boolean registered;
    /** The node's credential; null until it made one or found one stored. */
    private IdentityFile.Identity identity;
    /** Whether the credential must be bound (again) before registering. */
    private boolean mustJoin;
    /** The node token's client. */
    private ApiClient gateway;

    private GatewayLink(URI gatewayUrl, String joinToken, IdentityFile identityFile, Consumer<String> onCallToken,
            String node, URI nodeUrl, Duration interval, Supplier<NodeStatus> status,
            Supplier<Runnable> onRegistration, String signingKey, Optional<Path> tlsCa) {
        this.tlsCa = tlsCa;
        this.signingKey = signingKey;
        // A heartbeat that takes longer than a few intervals is as good as missed.
        this.timeout = interval.multipliedBy(3).compareTo(Duration.ofSeconds(2)) > 0 ? interval.multipliedBy(3)
                : Duration.ofSeconds(2);
        this.gatewayUrl = gatewayUrl;
        this.joining = new ApiClient(gatewayUrl, joinToken, ClientOptions.of(timeout).withTlsCa(tlsCa));
        this.identityFile = identityFile;
        this.onCallToken = onCallToken;
        this.node = node;
        this.nodeUrl = nodeUrl;
        this.interval = interval;
        this.status = status;
        this.onRegistration = onRegistration;
        this.thread = Thread.ofPlatform().daemon().name("thaw-gateway-link-" + gatewayUrl.getAuthority()).unstarted(this::run);
    }

    /**
     * Starts joining (unless {@code identityFile} holds this node's credential), registering and
     * heartbeating. {@code status} is asked for a fresh report each time; before each registration
     * {@code onRegistration} is asked for a task, which runs once that registration succeeds (the
     * node stops the instances no gateway owns any more). {@code onCallToken} is told the token the
     * gateway will call this node with, before the node registers with it. {@code signingKey} is the
     * public key the node signs its snapshots with, sent when it registers (null: none).
     *
     * @throws IOException if the identity file exists but cannot be read
     */
    public static GatewayLink start(URI gatewayUrl, String joinToken, IdentityFile identityFile,
            Consumer<String> onCallToken, String node, URI nodeUrl, Duration interval, Supplier<NodeStatus> status,
            Supplier<Runnable> onRegistration, String signingKey) throws IOException {
        return start(gatewayUrl, joinToken, identityFile, onCallToken, node, nodeUrl, interval, status,
                onRegistration, signingKey, Optional.empty());
    }

    /** As above, verifying an {@code https://} gateway against the PEM CA file {@code tlsCa} when present. */
    public static GatewayLink start(URI gatewayUrl, String joinToken, IdentityFile identityFile,
            Consumer<String> onCallToken, String node, URI nodeUrl, Duration interval, Supplier<NodeStatus> status,
            Supplier<Runnable> onRegistration, String signingKey, Optional<Path> tlsCa) throws IOException {
        GatewayLink link = new GatewayLink(gatewayUrl, joinToken, identityFile, onCallToken, node, nodeUrl, interval,
                status, onRegistration, signingKey, tlsCa);
        Optional<IdentityFile.Identity> stored = identityFile.load(node);
        if (stored.isPresent()) {
            link.adopt(stored.get());
            LOG.log(Level.INFO, "node " + node + " uses the credential stored in " + identityFile.path());
        } else {
            link.mustJoin = true;
        }
        link.thread.start();
        return link;
    }

    private void adopt(IdentityFile.Identity identity) {
        this.identity = identity;
        if (gateway != null) {
            gateway.close();
        }
        gateway = new ApiClient(gatewayUrl, identity.token(), ClientOptions.of(timeout).withTlsCa(tlsCa));
        onCallToken.accept(NodeTokens.callToken(identity.token()));
    }

    private void run() {
        while (!closed) {
            try {
                beat();
            } catch (InterruptedException e) {
                return;
            }
            if (!sleep()) {
                return;
            }
        }
    }

    private void beat() throws InterruptedException {
        try {
            if (mustJoin && !join()) {
                return;
            }
            if (!registered) {
                Runnable afterRegistration = onRegistration.get();
                gateway.json("POST", "/v1/nodes", new RegisterRequest(node, nodeUrl.toString(), signingKey), null, timeout);
                registered = true;
                afterRegistration.run();
                LOG.log(Level.INFO, "node " + node + " registered with the gateway at " + gateway.base() + " as " + nodeUrl);
            }
            gateway.json("PUT", "/v1/nodes/" + node + "/heartbeat", status.get(), null, timeout);
            change(State.CONNECTED, "heartbeats reach the gateway at " + gateway.base());
        } catch (ApiClient.ApiException e) {
            if (e.status() == 404 && registered) {
                registered = false;
                LOG.log(Level.INFO, "the gateway at " + gatewayUrl + " no longer knows node " + node + "; registering again");
                return;
            }
            if (e.status() == 401 && !mustJoin) {
                // The binding is gone (removed by an operator, or a new store): bind the same token again.
                mustJoin = true;
                registered = false;
                LOG.log(Level.WARNING, "the gateway at " + gatewayUrl + " does not accept the credential of node " + node
                        + " (" + e.getMessage() + "); joining again with the join token");
                return;
            }
            change(State.REFUSED, "the gateway at " + gatewayUrl + " refused node " + node + ": " + e.status()
                    + " " + e.code() + ": " + e.getMessage() + "; retrying every " + interval.toMillis() + " ms");
        } catch (IOException e) {
            change(State.UNREACHABLE, "cannot reach the gateway at " + gatewayUrl + " (" + describe(e)
                    + "); retrying every " + interval.toMillis() + " ms");
        }
    }

    /** Binds the node's token (made and kept first if there is none) with the join token; false when refused. */
    private boolean join() throws IOException, InterruptedException {
        if (identity == null) {
            // The links to several gateways share one identity file: the first makes the credential, the rest
            // adopt it.
            synchronized (identityFile) {
                Optional<IdentityFile.Identity> made = identityFile.load(node);
                IdentityFile.Identity fresh = made.orElseGet(() -> new IdentityFile.Identity(node,
                        NodeTokens.issue(node)));
                if (made.isEmpty()) {
                    try {
                        identityFile.save(fresh); // kept before it is sent, so no answer can be lost with it
                    } catch (IOException e) {
                        change(State.REFUSED, "node " + node + " cannot keep its credential in "
                                + identityFile.path() + " (" + describe(e) + "); retrying every "
                                + interval.toMillis() + " ms");
                        return false;
                    }
                }
                adopt(fresh);
            }
        }
        try {
            joining.json("POST", "/v1/join", new JoinRequest(node, identity.token()), JoinResponse.class, timeout);
        } catch (ApiClient.ApiException e) {
            String advice = e.status() == 401 ? "check the join token ($THAW_NODE_TOKEN)"
                    : e.status() == 409 ? "another node holds this name; pick another --name, or remove the old"
                            + " binding with 'DELETE /v1/nodes/" + node + "' (user token) if that node is gone"
                    : "see the gateway's log";
            change(State.REFUSED, "the gateway at " + gatewayUrl + " refused to let node " + node + " join: "
                    + e.status() + " " + e.code() + ": " + e.getMessage() + "; " + advice + "; retrying every "
                    + interval.toMillis() + " ms");
            return false;
        }
        mustJoin = false;
        LOG.log(Level.INFO, "node " + node + " joined the gateway at " + gatewayUrl + "; its credential is in "
                + identityFile.path());
        return true;
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private void change(State next, String message) {
        if (next == state) {
            return;
        }
        state = next;
        LOG.log(next == State.CONNECTED ? Level.INFO : Level.WARNING, message);
    }

    /** Waits one interval; false once closed. */
    private boolean sleep() {
        lock.lock();
        try {
            long left = interval.toNanos();
            while (!closed && left > 0) {
                left = woken.awaitNanos(left);
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops heartbeating; the gateway will declare the node dead after its timeout. */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            woken.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt(); // ends a call to a gateway that does not answer
        try {
            thread.join(timeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        joining.close();
        if (gateway != null) {
            gateway.close();
        }
    }
}
