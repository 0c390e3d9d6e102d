package dev.thaw.control;

import dev.thaw.api.FunctionId;
import dev.thaw.api.FunctionName;
import dev.thaw.control.access.AccessException;
import dev.thaw.control.access.AccessStore;
import dev.thaw.control.access.Principal;
import dev.thaw.control.access.Quota;
import dev.thaw.control.access.QuotaExceededException;
import dev.thaw.api.ManifestException;
import dev.thaw.control.cluster.Member;
import dev.thaw.control.cluster.Membership;
import dev.thaw.control.cluster.NodeIdentities;
import dev.thaw.control.extender.Extender;
import dev.thaw.control.extender.ExtenderHandler;
import dev.thaw.control.extender.MembershipCacheView;
import dev.thaw.control.functions.Archives;
import dev.thaw.control.deploy.Deployer;
import dev.thaw.control.functions.FunctionSettings;
import dev.thaw.control.routing.InvokeException;
import dev.thaw.control.routing.InvokeResult;
import dev.thaw.control.routing.Router;
import dev.thaw.node.identity.NodeTokens;
import dev.thaw.snapshot.store.StoreException;
import dev.thaw.wire.v1.gateway.DeployRequest;
import dev.thaw.wire.v1.gateway.DeploySettings;
import dev.thaw.wire.v1.gateway.GatewayApi;
import dev.thaw.wire.v1.gateway.JoinRequest;
import dev.thaw.wire.v1.gateway.JoinResponse;
import dev.thaw.wire.v1.gateway.NamespaceRequest;
import dev.thaw.wire.v1.gateway.NamespaceView;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import dev.thaw.wire.v1.gateway.TokenRequest;
import dev.thaw.wire.v1.gateway.TokenView;
import dev.thaw.wire.v1.gateway.RegisterRequest;
import dev.thaw.wire.v1.node.NodeStatus;
import dev.thaw.http.BearerGuard;
import dev.thaw.http.ErrorMapper;
import dev.thaw.http.Exchange;
import dev.thaw.http.HttpError;
import dev.thaw.http.Routes;
import dev.thaw.http.Server;
import dev.thaw.http.ServerOptions;
import dev.thaw.http.TlsSettings;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The gateway's HTTP API (see {@code /openapi.yaml}): the user API, namespaced and behind the
 * admin or a namespace token, and the membership endpoints.
 */
final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(GatewayServer.class.getName());
    private static final String OPENAPI = GatewayApi.OPENAPI;
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final Gateway gateway;
    private final Semaphore inFlight;
    private final Server server;

    private GatewayServer(Gateway gateway, TlsSettings tls) throws IOException {
        this.gateway = gateway;
        this.inFlight = new Semaphore(gateway.config().maxInFlight());
        var listen = gateway.config().listen();
        // Uploads are the largest bodies; every other route reads less (see the limits below).
        ServerOptions options = ServerOptions.of(listen.getAddress().getHostAddress(), listen.getPort(),
                gateway.config().bodyLimitBytes()).withTls(tls.certificate(), tls.key());
        this.server = Server.start(options, errors(), this::routes);
    }

    static GatewayServer start(Gateway gateway, TlsSettings tls) throws IOException {
        return new GatewayServer(gateway, tls);
    }

    URI url() {
        return server.url();
    }

    private static ErrorMapper errors() {
        return new ErrorMapper()
                .translate(ManifestException.class, e -> new HttpError(400, "bad_manifest", e.getMessage()))
                .translate(Archives.BadArchive.class, e -> new HttpError(400, "bad_archive", e.getMessage()))
                .translate(Deployer.RegistryWriteException.class, e -> e.conflict()
                        ? new HttpError(409, "conflict", e.getMessage())
                        : new HttpError(503, "registry_unavailable", e.getMessage()))
                .translate(NodeIdentities.NameTaken.class, e -> new HttpError(409, "node_name_taken", e.getMessage()))
                .translate(Membership.Conflict.class, e -> new HttpError(409, "url_in_use", e.getMessage()))
                .translate(AccessException.class, e -> new HttpError(e.status(), e.code(), e.getMessage(),
                        e.status() == 401 ? Map.of("WWW-Authenticate", "Bearer") : Map.of()))
                .translate(QuotaExceededException.class, e -> new HttpError(429, "quota_exceeded", e.getMessage()))
                .translate(InvokeException.class, e -> new HttpError(e.status(), e.code(), e.getMessage(),
                        e.headers()));
    }

    private void routes(Routes routes) {
        BearerGuard user = BearerGuard.token(() -> gateway.config().apiToken());
        BearerGuard join = BearerGuard.token(() -> gateway.config().joinToken());
        BearerGuard node = BearerGuard.principals(token -> {
            try {
                return gateway.identities().authenticate(token);
            } catch (StoreException e) {
                throw new HttpError(503, "registry_unavailable", "cannot read node bindings from the store: "
                        + e.getMessage());
            }
        });
        routes.filter(this::admit);
        routes.filter(GatewayServer::checkNames);
        routes.open("GET", "/healthz", (request, response) -> Exchange.send(response, 200, "text/plain",
                "ok".getBytes(StandardCharsets.UTF_8)));
        routes.open("GET", "/openapi.yaml", (request, response) -> openapi(response));
        routes.guarded(user, "GET", "/metrics", (request, response) -> Exchange.send(response, 200, PROMETHEUS,
                gateway.metrics().scrape().getBytes(StandardCharsets.UTF_8)));
        // The function routes, in a namespace and (without one) in the default namespace.
        for (String base : List.of("/v1/namespaces/{namespace}/functions", "/v1/functions")) {
            routes.open("GET", base, authenticated(registry((request, response) ->
                    Exchange.json(response, 200, gateway.list(reachableNamespace(request))))));
            routes.open("POST", base, authenticated(registry(this::deploy)));
            routes.open("GET", base + "/{name}", authenticated(registry((request, response) -> {
                String key = reachableFunction(request);
                var function = gateway.functions().find(key);
                if (function.isEmpty()) {
                    throw unknownFunction(key, true);
                }
                Exchange.json(response, 200, gateway.view(function.get()));
            })));
            routes.open("DELETE", base + "/{name}", authenticated(registry((request, response) -> {
                String key = reachableFunction(request);
                if (!gateway.deployer().delete(key)) {
                    throw unknownFunction(key, true);
                }
                Exchange.send(response, 204, null, new byte[0]);
            })));
            routes.open("POST", base + "/{name}/invoke", authenticated(registry(this::invoke)));
        }
        namespaceRoutes(routes);
        routes.guarded(user, "GET", "/v1/nodes", (request, response) -> Exchange.json(response, 200,
                gateway.nodes()));
        routes.guarded(user, "GET", "/v1/status", (request, response) -> Exchange.json(response, 200,
                gateway.status()));
        routes.guarded(join, "POST", "/v1/join", this::join);
        routes.open("POST", "/v1/nodes", (request, response) -> register(request, response,
                node.principal(request)));
        routes.open("PUT", "/v1/nodes/{name}/heartbeat", (request, response) -> {
            asItself(node.principal(request), name(request));
            heartbeat(request, response, name(request));
        });
        routes.guarded(user, "DELETE", "/v1/nodes/{name}", (request, response) -> forgetNode(response,
                name(request)));
        // The scheduler extender over this cluster's live cache state, as kube-scheduler would call it;
        // behind the admin token, like the rest of the cluster-wide API.
        ExtenderHandler extender = new ExtenderHandler(new Extender(new MembershipCacheView(gateway.membership()),
                gateway.config().policy()));
        extender.routes(routes, "/extender", user);
    }

    /** Past the cap the answer is immediate, so a flood costs a thread and a few bytes, not a queue. */
    private void admit(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        request.context().register(ACCEPTED, System.nanoTime());
        if (!inFlight.tryAcquire()) {
            response.header("Retry-After", "1");
            Exchange.error(response, 503, "overloaded", "the gateway is serving " + gateway.config().maxInFlight()
                    + " requests, its limit; retry shortly");
            return;
        }
        try {
            chain.proceed();
        } finally {
            inFlight.release();
        }
    }

    private static final String ACCEPTED = "thaw.accepted";

    /** Names are checked before anything else, so an encoded '/' or '..' never reaches a lookup. */
    private static void checkNames(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        List<String> parts = Arrays.stream(request.path().rawPath().split("/")).filter(p -> !p.isEmpty()).toList();
        if (parts.size() >= 3 && parts.get(0).equals("v1")) {
            String kind = parts.get(1);
            String bad = switch (kind) {
                case "functions" -> badName(parts.get(2), "function", FunctionName::isValid);
                case "nodes" -> badName(parts.get(2), "node", Membership::validNodeName);
                case "namespaces" -> {
                    String namespace = URLDecoder.decode(parts.get(2), StandardCharsets.UTF_8);
                    if (!FunctionId.isNamespace(namespace)) {
                        yield "'" + namespace + "' is not a valid namespace: a namespace is a DNS label, 1 to 63"
                                + " lower-case letters, digits or '-', starting and ending with a letter or digit";
                    }
                    yield parts.size() >= 5 && parts.get(3).equals("functions")
                            ? badName(parts.get(4), "function", FunctionName::isValid) : null;
                }
                default -> null;
            };
            if (bad != null) {
                Exchange.error(response, 400, "bad_name", bad);
                return;
            }
        }
        chain.proceed();
    }

    private static String badName(String raw, String what, java.util.function.Predicate<String> valid) {
        String name = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        return valid.test(name) ? null : "'" + name + "' is not a valid " + what
                + " name: use lower-case letters, digits, '_' and '-', with no '/', '.' or '%'";
    }

    /**
     * The caller, by its bearer token: the admin or a namespace token; otherwise a 401 (503 while
     * tokens load). Authenticated once per request.
     */
    private Principal caller(ServerRequest request) throws AccessException {
        Optional<Principal> known = request.context().get(Principal.class, Principal.class);
        if (known.isPresent()) {
            return known.get();
        }
        Principal caller = gateway.access().authenticate(Exchange.bearer(request), gateway.config().apiToken());
        request.context().register(Principal.class, caller);
        return caller;
    }

    /** {@code handler}, for authenticated callers only: the token is checked before anything else. */
    private Handler authenticated(Handler handler) {
        return (request, response) -> {
            caller(request);
            handler.handle(request, response);
        };
    }

    private Principal admin(ServerRequest request) throws AccessException {
        Principal caller = caller(request);
        if (!caller.admin()) {
            throw new HttpError(403, "admin_only", "namespaces and tokens are managed with the admin token (the"
                    + " gateway's API token); a namespace token only uses its own namespaces");
        }
        return caller;
    }

    /** The namespace the path names; the default namespace on the paths without one. */
    private static String namespace(ServerRequest request) {
        var parameters = request.path().pathParameters();
        return parameters.contains("namespace") ? parameters.get("namespace") : FunctionId.DEFAULT;
    }

    /**
     * The path's namespace when it exists and the caller reaches it; otherwise 404, the same for a
     * namespace that does not exist and for one the caller's token does not cover, so names do not leak.
     */
    private String reachableNamespace(ServerRequest request) throws AccessException {
        String namespace = namespace(request);
        if (!caller(request).reaches(namespace) || gateway.access().namespace(namespace).isEmpty()) {
            throw unknownNamespace(namespace);
        }
        return namespace;
    }

    private static HttpError unknownNamespace(String namespace) {
        return new HttpError(404, "unknown_namespace", "namespace '" + namespace + "' does not exist");
    }

    /**
     * The key of the function the path names, when the caller reaches its namespace; otherwise the
     * 404 a function that is not deployed gets, word for word.
     */
    private String reachableFunction(ServerRequest request) throws AccessException {
        String namespace = namespace(request);
        String name = name(request);
        // Both parts were checked by checkNames; no second parse on the invoke path.
        String key = namespace.equals(FunctionId.DEFAULT) ? name : namespace + "." + name;
        if (!caller(request).reaches(namespace)) {
            throw unknownFunction(key, false);
        }
        return key;
    }

    private static String name(ServerRequest request) {
        return request.path().pathParameters().get("name");
    }

    /** {@code handler}, answered 503 while the registry has not been read from the store. */
    private Handler registry(Handler handler) {
        return (request, response) -> {
            Optional<String> unavailable = gateway.functions().unavailable();
            if (unavailable.isPresent()) {
                // An empty registry is not the truth until the store said so.
                throw new HttpError(503, "registry_unavailable", unavailable.get());
            }
            handler.handle(request, response);
        };
    }

    private void deploy(ServerRequest request, ServerResponse response) throws Exception {
        String namespace = reachableNamespace(request);
        String type = Exchange.header(request, "Content-Type").orElse("");
        long limit = gateway.config().bodyLimitBytes();
        Deployer.Outcome outcome;
        if (type.startsWith("application/gzip") || type.startsWith("application/x-gzip")) {
            FunctionSettings settings = settingsFromQuery(request.query().rawValue());
            byte[] archive = Exchange.body(request, limit, "send a smaller body");
            // An archive may expand; bound it well above any sane function directory.
            outcome = gateway.deployer().deployArchive(archive, namespace, settings, Math.max(limit * 16, 64L << 20));
        } else {
            DeployRequest body = Exchange.json(request, limit, DeployRequest.class);
            if (!gateway.config().allowHostPaths()) {
                throw new HttpError(403, "host_paths_disabled", "this gateway does not build directories of"
                        + " its own host; upload the function as a .tar.gz (Content-Type: application/gzip, or"
                        + " 'thaw deploy --upload DIR'). A gateway for local use only may be started with"
                        + " --allow-host-paths");
            }
            if (body.path() == null) {
                throw new IllegalArgumentException("the deploy request needs \"path\": the absolute path of the"
                        + " function directory on the gateway host, or send a .tar.gz as application/gzip");
            }
            DeploySettings s = body.settings() == null ? DeploySettings.NONE : body.settings();
            FunctionSettings settings = new FunctionSettings.Request(s.concurrency(), s.maxInstances(),
                    s.keepAliveMs(), s.queueSize(), s.queueTimeoutMs()).resolve();
            outcome = gateway.deployer().deploy(Path.of(body.path()), namespace, settings);
        }
        Exchange.json(response, outcome.created() ? 201 : 200, gateway.view(outcome.function()));
    }

    static FunctionSettings settingsFromQuery(String rawQuery) {
        Map<String, String> q = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        List<String> known = List.of("concurrency", "maxInstances", "keepAliveMs", "queueSize", "queueTimeoutMs");
        for (String key : q.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; known: " + String.join(", ", known));
            }
        }
        try {
            return new FunctionSettings.Request(integer(q.get("concurrency")), integer(q.get("maxInstances")),
                    along(q.get("keepAliveMs")), integer(q.get("queueSize")), along(q.get("queueTimeoutMs"))).resolve();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("settings must be whole numbers: " + e.getMessage(), e);
        }
    }

    private static Integer integer(String v) {
        return v == null ? null : Integer.valueOf(v);
    }

    private static Long along(String v) {
        return v == null ? null : Long.valueOf(v);
    }

    private void invoke(ServerRequest request, ServerResponse response) throws IOException, InterruptedException,
            InvokeException, AccessException {
        String key = reachableFunction(request);
        Optional<Router> router = gateway.functions().find(key).flatMap(f -> gateway.routers().find(key));
        if (router.isEmpty()) {
            throw unknownFunction(key, true);
        }
        byte[] body = Exchange.body(request, gateway.config().bodyLimitBytes(), "send a smaller body");
        String type = Exchange.header(request, "Content-Type").orElse(null);
        long accepted = request.context().get(ACCEPTED, Long.class).orElseGet(System::nanoTime);
        InvokeResult result = router.get().invoke(body, type, accepted);
        result.headers().forEach(response::header);
        Exchange.send(response, result.status(),
                result.contentType() == null ? "application/octet-stream" : result.contentType(), result.body());
    }

    /** Unless {@code claimed} is the authenticated node, a 403. */
    private static void asItself(String node, String claimed) {
        if (!node.equals(claimed)) {
            throw new HttpError(403, "wrong_node", "this credential belongs to node '" + node
                    + "'; a node registers and reports only as itself, not as '" + claimed + "'");
        }
    }

    private void join(ServerRequest request, ServerResponse response) throws IOException,
            NodeIdentities.NameTaken {
        JoinRequest body = Exchange.json(request, 64L * 1024, JoinRequest.class);
        try {
            boolean created = gateway.identities().join(body.node(), body.token());
            Exchange.json(response, created ? 201 : 200, new JoinResponse(body.node()));
        } catch (StoreException e) {
            throw new HttpError(503, "registry_unavailable", "cannot keep the node binding in the store: "
                    + e.getMessage());
        }
    }

    private void register(ServerRequest request, ServerResponse response, String node) throws IOException,
            Membership.Conflict {
        RegisterRequest body = Exchange.json(request, gateway.config().bodyLimitBytes(), RegisterRequest.class);
        asItself(node, String.valueOf(body.node()));
        // The gateway calls the node with a token that follows from the node's own, never with one
        // the node could present here or to another node.
        gateway.membership().register(body, NodeTokens.callToken(Exchange.bearer(request)));
        Exchange.send(response, 204, null, new byte[0]);
    }

    private void forgetNode(ServerResponse response, String name) {
        boolean bound;
        try {
            bound = gateway.identities().forget(name);
        } catch (StoreException e) {
            throw new HttpError(503, "registry_unavailable", "cannot remove the node binding from the store: "
                    + e.getMessage());
        }
        var member = gateway.membership().find(name);
        member.filter(Member::alive).ifPresent(m -> gateway.membership().declareDead(m,
                "its binding was removed by an operator"));
        if (!bound && member.isEmpty()) {
            throw new HttpError(404, "unknown_node", "no node '" + name + "' is bound or registered");
        }
        Exchange.send(response, 204, null, new byte[0]);
    }

    private void heartbeat(ServerRequest request, ServerResponse response, String name) throws IOException {
        NodeStatus status = Exchange.json(request, gateway.config().bodyLimitBytes(), NodeStatus.class);
        if (status.node() != null && !status.node().equals(name)) {
            throw new IllegalArgumentException("the heartbeat for '" + name + "' carries the status of '"
                    + status.node() + "'");
        }
        if (!gateway.membership().heartbeat(name, status)) {
            throw new HttpError(404, "unknown_node", "node '" + name + "' is not registered (the gateway"
                    + " restarted or declared it dead); register again with POST /v1/nodes");
        }
        Exchange.send(response, 204, null, new byte[0]);
    }

    /**
     * The answer for a function that is not served. Only a caller that reaches the namespace
     * ({@code reached}) learns of a record the gateway cannot read; to anyone else every function
     * outside their namespaces is simply not deployed.
     */
    private HttpError unknownFunction(String key, boolean reached) {
        if (reached) {
            var problem = gateway.functions().problem(key);
            if (problem.isPresent() && !problem.get().serving()) {
                return new HttpError(503, "registry_record_unreadable", "function '" + display(key) + "' has a"
                        + " registry record the gateway cannot serve (" + problem.get().key() + "): "
                        + problem.get().problem());
            }
        }
        return new HttpError(404, "unknown_function", "function '" + display(key) + "' is not deployed; deploy it"
                + " with POST /v1/namespaces/" + FunctionId.ofKey(key).namespace() + "/functions");
    }

    private static String display(String key) {
        return FunctionId.ofKey(key).toString();
    }

    private void namespaceRoutes(Routes routes) {
        routes.open("GET", "/v1/namespaces", (request, response) -> {
            Principal caller = caller(request);
            Exchange.json(response, 200, gateway.access().namespaces().stream()
                    .filter(n -> caller.reaches(n.name())).map(this::namespaceView).toList());
        });
        routes.open("POST", "/v1/namespaces", (request, response) -> {
            admin(request);
            NamespaceRequest body = Exchange.json(request, 64L * 1024, NamespaceRequest.class);
            if (body == null || body.name() == null) {
                throw new IllegalArgumentException("the request needs \"name\": the namespace, a DNS label");
            }
            var created = gateway.access().createNamespace(body.name(), quota(body.quota()));
            Exchange.json(response, 201, namespaceView(created));
        });
        routes.open("GET", "/v1/namespaces/{namespace}", (request, response) -> {
            String namespace = reachableNamespace(request);
            Exchange.json(response, 200, namespaceView(gateway.access().namespace(namespace).orElseThrow(
                    () -> unknownNamespace(namespace))));
        });
        routes.open("DELETE", "/v1/namespaces/{namespace}", authenticated(registry((request, response) -> {
            admin(request);
            String namespace = namespace(request);
            int functions = gateway.inNamespace(namespace).size();
            if (functions > 0 && gateway.access().namespace(namespace).isPresent()) {
                throw new HttpError(409, "namespace_not_empty", "namespace '" + namespace + "' still has " + functions
                        + " function(s); delete them first");
            }
            gateway.access().deleteNamespace(namespace);
            Exchange.send(response, 204, null, new byte[0]);
        })));
        routes.open("PUT", "/v1/namespaces/{namespace}/quota", (request, response) -> {
            admin(request);
            QuotaSettings body = Exchange.json(request, 64L * 1024, QuotaSettings.class);
            var updated = gateway.access().setQuota(namespace(request), quota(body));
            Exchange.json(response, 200, namespaceView(updated));
        });
        routes.open("GET", "/v1/tokens", (request, response) -> {
            admin(request);
            Exchange.json(response, 200, gateway.access().tokens().stream().map(t -> tokenView(t, null)).toList());
        });
        routes.open("POST", "/v1/tokens", (request, response) -> {
            admin(request);
            TokenRequest body = Exchange.json(request, 64L * 1024, TokenRequest.class);
            if (body == null) {
                throw new IllegalArgumentException("the request needs \"namespaces\"");
            }
            var issued = gateway.access().issue(body.namespaces(), body.expiresAt(), body.description());
            Exchange.json(response, 201, tokenView(issued.entry(), issued.token()));
        });
        routes.open("DELETE", "/v1/tokens/{id}", (request, response) -> {
            admin(request);
            gateway.access().revoke(request.path().pathParameters().get("id"));
            Exchange.send(response, 204, null, new byte[0]);
        });
    }

    private NamespaceView namespaceView(AccessStore.NamespaceEntry n) {
        Quota q = n.quota();
        Quota.Usage u = gateway.usage(n.name());
        return new NamespaceView(n.name(), n.createdAt(), new QuotaSettings(q.functions(), q.instances(),
                q.memoryMib()), new QuotaSettings(u.functions(), (int) Math.min(Integer.MAX_VALUE, u.instances()),
                u.memoryMib()));
    }

    private static Quota quota(QuotaSettings settings) {
        return settings == null ? Quota.NONE : new Quota(settings.functions(), settings.instances(),
                settings.memoryMib());
    }

    private static TokenView tokenView(AccessStore.TokenEntry t, String secret) {
        return new TokenView(t.id(), secret, t.namespaces(), t.description(), t.createdAt(), t.expiresAt(),
                t.revokedAt());
    }

    private static void openapi(ServerResponse response) throws IOException {
        try (InputStream in = GatewayServer.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the gateway build");
            }
            Exchange.send(response, 200, "application/yaml", in.readAllBytes());
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
