package dev.thaw.node.service;

import dev.thaw.node.api.NodeStatus;
import dev.thaw.node.api.RegisterRequest;
import dev.thaw.node.http.ApiClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A node's membership in the gateway: registers, then sends its status every
 * interval on a daemon thread. A 404 on a heartbeat means the gateway forgot the
 * node (it restarted, or declared the node dead), so the node registers again.
 * While the gateway is unreachable it keeps trying, logging once per change of
 * state rather than once per attempt.
 */
public final class GatewayLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayLink.class.getName());

    private enum State { STARTING, CONNECTED, UNREACHABLE, REFUSED }

    private final ApiClient gateway;
    private final String node;
    private final URI nodeUrl;
    private final Duration interval;
    private final Duration timeout;
    private final Supplier<NodeStatus> status;
    private final Supplier<Runnable> onRegistration;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    private State state = State.STARTING;
    private boolean registered;

    private GatewayLink(URI gatewayUrl, String token, String node, URI nodeUrl, Duration interval,
            Supplier<NodeStatus> status, Supplier<Runnable> onRegistration) {
        // A heartbeat that takes longer than a few intervals is as good as missed.
        this.timeout = interval.multipliedBy(3).compareTo(Duration.ofSeconds(2)) > 0 ? interval.multipliedBy(3)
                : Duration.ofSeconds(2);
        this.gateway = new ApiClient(gatewayUrl, token, timeout);
        this.node = node;
        this.nodeUrl = nodeUrl;
        this.interval = interval;
        this.status = status;
        this.onRegistration = onRegistration;
        this.thread = Thread.ofPlatform().daemon().name("thaw-gateway-link").unstarted(this::run);
    }

    /** Starts registering and heartbeating; {@code status} is asked for a fresh report each time. */
    public static GatewayLink start(URI gatewayUrl, String token, String node, URI nodeUrl, Duration interval,
            Supplier<NodeStatus> status) {
        return start(gatewayUrl, token, node, nodeUrl, interval, status, () -> () -> { });
    }

    /**
     * Like {@link #start(URI, String, String, URI, Duration, Supplier)}; before each registration
     * {@code onRegistration} is asked for a task, which runs once that registration succeeds
     * (the node stops the instances no gateway owns any more).
     */
    public static GatewayLink start(URI gatewayUrl, String token, String node, URI nodeUrl, Duration interval,
            Supplier<NodeStatus> status, Supplier<Runnable> onRegistration) {
        GatewayLink link = new GatewayLink(gatewayUrl, token, node, nodeUrl, interval, status, onRegistration);
        link.thread.start();
        return link;
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
            if (!registered) {
                Runnable afterRegistration = onRegistration.get();
                gateway.json("POST", "/v1/nodes", new RegisterRequest(node, nodeUrl.toString()), null, timeout);
                registered = true;
                afterRegistration.run();
                LOG.info("node " + node + " registered with the gateway at " + gateway.base() + " as " + nodeUrl);
            }
            gateway.json("PUT", "/v1/nodes/" + node + "/heartbeat", status.get(), null, timeout);
            change(State.CONNECTED, "heartbeats reach the gateway at " + gateway.base());
        } catch (ApiClient.ApiException e) {
            if (e.status() == 404 && registered) {
                registered = false;
                LOG.info("the gateway at " + gateway.base() + " no longer knows node " + node + "; registering again");
                return;
            }
            change(State.REFUSED, "the gateway at " + gateway.base() + " refused node " + node + ": " + e.status()
                    + " " + e.code() + ": " + e.getMessage() + "; check the node token; retrying every "
                    + interval.toMillis() + " ms");
        } catch (IOException e) {
            change(State.UNREACHABLE, "cannot reach the gateway at " + gateway.base() + " (" + describe(e)
                    + "); retrying every " + interval.toMillis() + " ms");
        }
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
    }
}
