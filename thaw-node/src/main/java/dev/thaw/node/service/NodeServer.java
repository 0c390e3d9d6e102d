package dev.thaw.node.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.node.http.HttpApi;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.PrefetchResponse;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The node's HTTP API (see the cluster contract) over a {@link NodeService}, and
 * its membership in the gateway when one is configured. Owns the service: closing
 * the server stops heartbeats, the HTTP listener, then the service.
 */
public final class NodeServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeServer.class.getName());
    private static final String TIMEOUT_HEADER = "X-Thaw-Timeout-Ms";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final NodeServiceConfig config;
    private final NodeService service;
    private final NodeMetrics metrics;
    private final HttpServer http;
    private final ExecutorService executor;
    private final URI url;
    private GatewayLink link;
    /**
     * The only bearer token this node's API accepts: with a gateway, the call token that follows
     * from the node's own credential (none until it has one); standalone, the configured token.
     */
    private volatile String accepted;

    private NodeServer(NodeServiceConfig config, NodeService service, HttpServer http, URI url) {
        this.config = config;
        this.service = service;
        this.http = http;
        this.url = url;
        this.metrics = new NodeMetrics(service);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        service.onStart(metrics::record);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
    }

    /**
     * Binds the service's configured address, serves the API and, with a gateway
     * configured, registers there. The server owns {@code service} from here on,
     * and closes it if it cannot start.
     */
    public static NodeServer start(NodeService service) throws IOException {
        NodeServiceConfig config = service.config();
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        } catch (IOException e) {
            service.close();
            throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage()
                    + "; choose another --listen address", e);
        }
        URI url = config.publicUrl().orElseGet(() -> derivedUrl(http.getAddress()));
        NodeServer server = new NodeServer(config, service, http, url);
        if (config.gatewayUrl().isEmpty()) {
            server.accepted = config.token();
        }
        http.start();
        if (config.gatewayUrl().isPresent()) {
            try {
                // The configured token is the cluster's join token: presented once to the gateway, never accepted here.
                server.link = GatewayLink.start(config.gatewayUrl().get(), config.token(),
                        new IdentityFile(config.workDir()), token -> server.accepted = token, config.name(), url,
                        config.heartbeatInterval(), () -> service.status(url), service::orphansOnRegistration, service.signingKey());
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return server;
    }

    /** Where the gateway reaches this node. */
    public URI url() {
        return url;
    }

    public NodeService service() {
        return service;
    }

    private static URI derivedUrl(InetSocketAddress bound) {
        InetAddress address = bound.getAddress();
        String host;
        if (address.isAnyLocalAddress()) {
            // Listening everywhere: the host's name is the best guess at what peers can reach.
            try {
                host = InetAddress.getLocalHost().getCanonicalHostName();
            } catch (IOException e) {
                host = "localhost";
            }
        } else {
            host = address.getHostAddress();
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + bound.getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            if (path.equals("/healthz")) {
                requireMethod(method, "GET");
                HttpApi.send(exchange, 200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String token = accepted;
            if (!HttpApi.authorized(exchange, token == null ? "" : token)) {
                return;
            }
            route(exchange, method, path.split("/", -1));
        } catch (NodeRequestException e) {
            HttpApi.error(exchange, e.status(), e.code(), e.getMessage());
        } catch (HttpApi.TooLarge e) {
            HttpApi.tooLarge(exchange, e, "send a smaller body or raise the node's --body-limit-mib");
        } catch (IllegalArgumentException e) {
            HttpApi.error(exchange, 400, "bad_request", e.getMessage());
        } catch (IOException | RuntimeException e) {
            HttpApi.internalError(exchange, LOG, e);
        } finally {
            exchange.close();
        }
    }

    /** {@code parts} of a path {@code /a/b}: "", "a", "b". */
    private void route(HttpExchange exchange, String method, String[] parts) throws IOException,
            NodeRequestException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/metrics")) {
            requireMethod(method, "GET");
            HttpApi.send(exchange, 200, PROMETHEUS, metrics.scrape().getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/v1/status")) {
            requireMethod(method, "GET");
            HttpApi.json(exchange, 200, service.status(url));
        } else if (parts.length == 6 && parts[1].equals("v1") && parts[2].equals("deployments")
                && parts[5].equals("prefetch")) {
            requireMethod(method, "POST");
            PrefetchRequest request = HttpApi.json(exchange, config.bodyLimitBytes(), PrefetchRequest.class);
            long fetched = service.prefetch(parts[3], parts[4], request);
            HttpApi.json(exchange, 200, new PrefetchResponse(fetched));
        } else if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("deployments")) {
            requireMethod(method, "PUT");
            DeploymentSpec spec = HttpApi.json(exchange, config.bodyLimitBytes(), DeploymentSpec.class);
            service.deploy(parts[3], parts[4], spec);
            HttpApi.send(exchange, 204, null, new byte[0]);
        } else if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("functions")) {
            requireMethod(method, "DELETE");
            service.deleteFunction(parts[3]);
            HttpApi.send(exchange, 204, null, new byte[0]);
        } else if (path.equals("/v1/instances")) {
            requireMethod(method, "POST");
            StartRequest request = HttpApi.json(exchange, config.bodyLimitBytes(), StartRequest.class);
            HttpApi.json(exchange, 201, service.start(request));
        } else if (parts.length == 4 && parts[1].equals("v1") && parts[2].equals("instances")) {
            requireMethod(method, "DELETE");
            service.stop(parts[3]);
            HttpApi.send(exchange, 204, null, new byte[0]);
        } else if (parts.length == 5 && parts[1].equals("v1") && parts[2].equals("instances")
                && parts[4].equals("invoke")) {
            requireMethod(method, "POST");
            invoke(exchange, parts[3]);
        } else {
            throw new NodeRequestException(404, "not_found", "no endpoint " + method + " " + path
                    + " on this node; see the node API in the cluster contract");
        }
    }

    private void invoke(HttpExchange exchange, String id) throws IOException, NodeRequestException {
        Optional<Duration> timeout = Optional.empty();
        String header = exchange.getRequestHeaders().getFirst(TIMEOUT_HEADER);
        if (header != null) {
            try {
                long ms = Long.parseLong(header.strip());
                if (ms <= 0) {
                    throw new NumberFormatException();
                }
                timeout = Optional.of(Duration.ofMillis(ms));
            } catch (NumberFormatException e) {
                throw NodeRequestException.badRequest(TIMEOUT_HEADER + " must be a positive number of "
                        + "milliseconds, got '" + header + "'");
            }
        }
        byte[] body = HttpApi.body(exchange, config.bodyLimitBytes());
        InvocationResult result = service.invoke(id, body, timeout);
        exchange.getResponseHeaders().set("X-Thaw-Guest-Ms", String.format(Locale.ROOT, "%.3f", result.guestMs()));
        HttpApi.send(exchange, 200, "application/octet-stream", result.body());
    }

    private static void requireMethod(String method, String allowed) throws NodeRequestException {
        if (!method.equals(allowed)) {
            throw new NodeRequestException(405, "method_not_allowed", "use " + allowed + " here, not " + method);
        }
    }

    /** Stops heartbeats, then the listener, then the service (its instances and VMs). */
    @Override
    public void close() {
        try {
            if (link != null) {
                link.close();
            }
            http.stop(0);
        } finally {
            // The service first: stopping its VMs ends invocations still in flight, so the executor drains quickly.
            service.close();
            executor.close();
        }
    }
}
