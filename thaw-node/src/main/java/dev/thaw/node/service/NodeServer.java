package dev.thaw.node.service;

import dev.thaw.http.BearerGuard;
import dev.thaw.http.ErrorMapper;
import dev.thaw.http.Exchange;
import dev.thaw.http.HttpError;
import dev.thaw.http.Routes;
import dev.thaw.http.Server;
import dev.thaw.http.ServerOptions;
import dev.thaw.http.TlsSettings;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import dev.thaw.node.identity.IdentityFile;
import dev.thaw.sandbox.InvocationResult;
import dev.thaw.wire.v1.node.DeploymentSpec;
import dev.thaw.wire.v1.node.PrefetchRequest;
import dev.thaw.wire.v1.node.PrefetchResponse;
import dev.thaw.wire.v1.node.StartRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.function.Supplier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

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
    private final Server http;
    private final URI url;
    private final java.util.List<GatewayLink> links = new java.util.ArrayList<>();
    /**
     * The only bearer token this node's API accepts: with a gateway, the call token that follows
     * from the node's own credential (none until it has one); standalone, the configured token.
     */
    private volatile String accepted;

    private NodeServer(NodeServiceConfig config, NodeService service, NodeMetrics metrics, Server http, URI url) {
        this.config = config;
        this.service = service;
        this.metrics = metrics;
        this.http = http;
        this.url = url;
    }

    /**
     * Binds the service's configured address, serves the API and, with a gateway
     * configured, registers there. The server owns {@code service} from here on,
     * and closes it if it cannot start.
     */
    public static NodeServer start(NodeService service) throws IOException {
        return start(service, TlsSettings.NONE);
    }

    /** As {@link #start(NodeService)}, serving TLS and verifying the gateway as {@code tls} says. */
    public static NodeServer start(NodeService service, TlsSettings tls) throws IOException {
        NodeServiceConfig config = service.config();
        NodeMetrics metrics = new NodeMetrics(service);
        service.onStart(metrics::record);
        Api api = new Api(config, service, metrics);
        service.peerClients().options(dev.thaw.http.ClientOptions.of(Duration.ofSeconds(1)).withTlsCa(tls.ca()));
        Server http;
        try {
            http = Server.start(ServerOptions.of(config.host(), config.port(), config.bodyLimitBytes())
                    .withTls(tls.certificate(), tls.key()), api.errors(), api::routes);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw new IOException("cannot serve on " + config.host() + ":" + config.port() + ": " + e.getMessage()
                    + "; choose another --listen address", e);
        }
        URI url = config.publicUrl().orElseGet(() -> derivedUrl(config.host(), http.port(), http.tls()));
        api.url = url;
        NodeServer server = new NodeServer(config, service, metrics, http, url);
        api.server = server;
        if (config.gateways().isEmpty()) {
            server.accepted = config.token();
        }
        // With several gateways a registration says nothing about instances another gateway started, so only a
        // node of one gateway stops what was running before it registers; the idle reaper stops the rest.
        Supplier<Runnable> onRegistration = config.gateways().size() == 1 ? service::orphansOnRegistration
                : () -> () -> { };
        // One credential for every gateway: they share the bindings in the store, so each accepts it.
        IdentityFile identity = new IdentityFile(config.workDir());
        for (URI gateway : config.gateways()) {
            try {
                // The configured token is the cluster's join token: presented once to the gateway, never accepted here.
                server.links.add(GatewayLink.start(gateway, config.token(), identity, token -> server.accepted = token,
                        config.name(), url, config.heartbeatInterval(), () -> service.status(url), onRegistration,
                        service.signingKey(), tls.ca()));
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

    private static URI derivedUrl(String listen, int port, boolean tls) {
        String host;
        try {
            InetAddress address = InetAddress.getByName(listen);
            if (address.isAnyLocalAddress()) {
                // Listening everywhere: the host's name is the best guess at what peers can reach.
                host = InetAddress.getLocalHost().getCanonicalHostName();
            } else {
                host = address.getHostAddress();
            }
        } catch (IOException e) {
            host = "localhost";
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + port);
    }

    /** The node's routes: {@code /healthz} open, everything else behind the node's accepted token. */
    private static final class Api {
        private final NodeServiceConfig config;
        private final NodeService service;
        private final NodeMetrics metrics;
        volatile URI url;
        volatile NodeServer server;

        Api(NodeServiceConfig config, NodeService service, NodeMetrics metrics) {
            this.config = config;
            this.service = service;
            this.metrics = metrics;
        }

        ErrorMapper errors() {
            return new ErrorMapper().translate(NodeRequestException.class,
                    e -> new HttpError(e.status(), e.code(), e.getMessage()));
        }

        void routes(Routes routes) {
            BearerGuard node = BearerGuard.token(() -> server == null ? null : server.accepted);
            routes.open("GET", "/healthz", (request, response) -> Exchange.text(response, 200, "ok"));
            routes.guarded(node, "GET", "/metrics", (request, response) ->
                    Exchange.send(response, 200, PROMETHEUS, metrics.scrape().getBytes(StandardCharsets.UTF_8)));
            routes.guarded(node, "GET", "/v1/status", (request, response) ->
                    Exchange.json(response, 200, service.status(url)));
            routes.guarded(node, "POST", "/v1/deployments/{function}/{revision}/prefetch", (request, response) -> {
                PrefetchRequest body = Exchange.json(request, config.bodyLimitBytes(), PrefetchRequest.class);
                long fetched = service.prefetch(param(request, "function"), param(request, "revision"), body);
                Exchange.json(response, 200, new PrefetchResponse(fetched));
            });
            routes.guarded(node, "PUT", "/v1/deployments/{function}/{revision}", (request, response) -> {
                DeploymentSpec spec = Exchange.json(request, config.bodyLimitBytes(), DeploymentSpec.class);
                service.deploy(param(request, "function"), param(request, "revision"), spec);
                Exchange.send(response, 204, null, new byte[0]);
            });
            routes.guarded(node, "DELETE", "/v1/functions/{function}", (request, response) -> {
                service.deleteFunction(param(request, "function"));
                Exchange.send(response, 204, null, new byte[0]);
            });
            routes.guarded(node, "POST", "/v1/instances", (request, response) -> {
                StartRequest body = Exchange.json(request, config.bodyLimitBytes(), StartRequest.class);
                Exchange.json(response, 201, service.start(body));
            });
            routes.guarded(node, "DELETE", "/v1/instances/{id}", (request, response) -> {
                service.stop(param(request, "id"));
                Exchange.send(response, 204, null, new byte[0]);
            });
            routes.guarded(node, "POST", "/v1/instances/{id}/invoke", this::invoke);
            // Peers read snapshots under a credential of their own, checked against this node's call token.
            dev.thaw.node.peer.PeerRoutes.add(routes, () -> server == null ? null : server.accepted,
                    service::peerHoldings);
        }

        private static String param(ServerRequest request, String name) {
            return request.path().pathParameters().get(name);
        }

        private void invoke(ServerRequest request, ServerResponse response) throws IOException,
                NodeRequestException {
            Optional<Duration> timeout = Optional.empty();
            Optional<String> header = Exchange.header(request, TIMEOUT_HEADER);
            if (header.isPresent()) {
                try {
                    long ms = Long.parseLong(header.get().strip());
                    if (ms <= 0) {
                        throw new NumberFormatException();
                    }
                    timeout = Optional.of(Duration.ofMillis(ms));
                } catch (NumberFormatException e) {
                    throw NodeRequestException.badRequest(TIMEOUT_HEADER + " must be a positive number of "
                            + "milliseconds, got '" + header.get() + "'");
                }
            }
            byte[] body = Exchange.body(request, config.bodyLimitBytes(),
                    "send a smaller body or raise the node's --body-limit-mib");
            InvocationResult result = service.invoke(param(request, "id"), body, timeout);
            response.header("X-Thaw-Guest-Ms", String.format(Locale.ROOT, "%.3f", result.guestMs()));
            Exchange.send(response, 200, "application/octet-stream", result.body());
        }
    }

    /** Stops heartbeats, then the listener, then the service (its instances and VMs). */
    @Override
    public void close() {
        try {
            links.parallelStream().forEach(GatewayLink::close);
        } finally {
            // The service first: stopping its VMs ends invocations still in flight, so the listener stops quickly.
            service.close();
            http.close();
        }
    }
}
