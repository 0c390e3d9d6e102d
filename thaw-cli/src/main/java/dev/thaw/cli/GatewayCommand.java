package dev.thaw.cli;

import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.control.cluster.IdentityKeyFile;
import dev.thaw.control.keepalive.KeepAlivePolicy;
import dev.thaw.control.keepalive.SnapshotPrefetch;
import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.k8s.discovery.NodeDiscovery;
import dev.thaw.k8s.functions.KubernetesFunctions;
import dev.thaw.node.http.ListenAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import dev.thaw.http.TlsSettings;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Runs the gateway (control plane) alone: the API that deploys and invokes functions, node "
                + "membership, the scheduler. Tokens come from $THAW_API_TOKEN (the admin token: every namespace, and it issues "
                + "namespace tokens with 'thaw token issue') and $THAW_NODE_TOKEN "
                + "(the cluster's join token: a node presents it once and gets a credential of its own, bound to "
                + "its name). Nodes join with 'thaw node --gateway URL'. Without --s3-endpoint it runs without a "
                + "store (nodes in local or disabled mode) and keeps its function registry in "
                + "$THAW_HOME/gateway-registry; with a store the registry is in the store. Namespaces, quotas and "
                + "namespace tokens (kept as keyed hashes) live beside the registry.")
final class GatewayCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "where the API listens (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--policy", defaultValue = "snapshot-aware", paramLabel = "snapshot-aware|spread|cost-aware",
            converter = ClusterOptions.PolicyConverter.class,
            description = "how cold starts are placed (default: ${DEFAULT-VALUE})")
    SchedulerPolicy policy;

    @Option(names = "--keep-alive-policy", defaultValue = "fixed", paramLabel = "fixed|hybrid-histogram",
            description = "how long idle instances stay: each function's keepAliveMs, or chosen from its idle-time "
                    + "histogram, which also pre-warms an instance before a predicted invocation (docs/policies.md) "
                    + "(default: ${DEFAULT-VALUE})")
    String keepAlivePolicy;

    @Option(names = "--prefetch", defaultValue = "none", paramLabel = "none|histogram",
            description = "ask a node to fetch a revision's snapshot before its predicted next invocation "
                    + "(docs/policies.md) (default: ${DEFAULT-VALUE})")
    String prefetch;

    @Option(names = "--body-limit-mib", defaultValue = "6",
            description = "largest request body accepted, from 1 to 1024 (default: ${DEFAULT-VALUE})")
    long bodyLimitMib;

    @Option(names = "--liveness-timeout-ms", defaultValue = "3000",
            description = "a node silent this long gets no new starts until it reports again; silent three "
                    + "times as long, it is declared dead and its calls fail; from 1 to 600000 (default: "
                    + "${DEFAULT-VALUE})")
    long livenessMs;

    @Option(names = "--max-in-flight", defaultValue = "4096",
            description = "requests served at once; beyond it the gateway answers 503 at once, from 1 to 1000000 "
                    + "(default: ${DEFAULT-VALUE})")
    int maxInFlight;

    @Option(names = "--allow-host-paths",
            description = "let POST /v1/functions {\"path\": DIR} build a directory of this host (and so let anyone "
                    + "with the API token read the host's files into a guest); only for a gateway used on its own "
                    + "machine. Without it, functions are uploaded as .tar.gz ('thaw deploy --upload').")
    boolean allowHostPaths;

    @Mixin
    S3Options s3;

    @Option(names = "--kubernetes-namespace", paramLabel = "NS",
            description = "discover node agents as the pods of the node-agent DaemonSet in this namespace (through "
                    + "the Kubernetes API, with the in-cluster or kubeconfig credentials) instead of waiting for "
                    + "them to register")
    String kubernetesNamespace;

    @Option(names = "--registry", defaultValue = "store", paramLabel = "store|kubernetes",
            description = "where the functions are: 'store' (the store, or $THAW_HOME/gateway-registry without one), or"
                    + " 'kubernetes': the ThawFunction resources of --functions-namespace, read through the Kubernetes"
                    + " API; the gateway deploys what they declare and writes their status (needs --s3-endpoint, which"
                    + " keeps their code archives) (default: ${DEFAULT-VALUE})")
    String registry;

    @Option(names = "--functions-namespace", defaultValue = "default", paramLabel = "NS",
            description = "with --registry kubernetes: the Kubernetes namespace whose ThawFunctions this gateway serves,"
                    + " which is their Thaw namespace (default: ${DEFAULT-VALUE})")
    String functionsNamespace;

    @Option(names = "--node-selector", defaultValue = "app.kubernetes.io/name=thaw-node",
            description = "label selector of node-agent pods (default: ${DEFAULT-VALUE})")
    String nodeSelector;

    @Option(names = "--node-daemonset", defaultValue = "thaw-node",
            description = "with --kubernetes-namespace: only pods this DaemonSet controls are nodes; the gateway calls"
                    + " them with $THAW_NODE_CALL_TOKEN (default: ${DEFAULT-VALUE})")
    String nodeDaemonSet;

    @Option(names = "--identity-key-file", paramLabel = "FILE",
            description = "the secret keying the hashes of node credentials and namespace tokens kept beside the"
                    + " registry; created (mode 0600) when missing. It must outlive the registry, or nodes must join"
                    + " again and namespace tokens be issued again (default:"
                    + " $THAW_HOME/gateway-identity.key)")
    java.nio.file.Path identityKeyFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "serve HTTPS with this PEM certificate chain (with --tls-key; default: plain HTTP)")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "the PEM (PKCS#8, unencrypted) private key of --tls-cert")
    java.nio.file.Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "PEM CA certificate(s) that https:// nodes are verified against (default: the JDK's trust"
                    + " store)")
    java.nio.file.Path tlsCa;

    @Option(names = "--node-port", defaultValue = "8081",
            description = "port node agents listen on in their pods (default: ${DEFAULT-VALUE})")
    int nodePort;

    @Override
    public Integer call() throws Exception {
        String apiToken = requireEnv("THAW_API_TOKEN");
        String nodeToken = requireEnv("THAW_NODE_TOKEN");
        if (bodyLimitMib < 1 || bodyLimitMib > GatewayConfig.MAX_BODY_LIMIT >> 20) {
            throw new IllegalArgumentException("--body-limit-mib must be from 1 to " + (GatewayConfig.MAX_BODY_LIMIT >> 20)
                    + ", got " + bodyLimitMib);
        }
        InetSocketAddress address = ListenAddress.parse(listen, "0.0.0.0:8080").socketAddress();
        GatewayConfig config = GatewayConfig.of(address, apiToken, nodeToken).withPolicy(policy)
                .withBodyLimit(bodyLimitMib << 20).withLivenessTimeout(Duration.ofMillis(livenessMs))
                .withKeepAlive(KeepAlivePolicy.parse(keepAlivePolicy)).withPrefetch(SnapshotPrefetch.parse(prefetch))
                .withMaxInFlight(maxInFlight).withAllowHostPaths(allowHostPaths);
        config = config.withIdentityKey(IdentityKeyFile.loadOrCreate(identityKeyFile != null ? identityKeyFile
                : config.home().root().resolve(IdentityKeyFile.NAME)));
        String callToken = kubernetesNamespace == null ? null : requireEnv("THAW_NODE_CALL_TOKEN");
        if (callToken != null && (callToken.equals(apiToken) || callToken.equals(nodeToken))) {
            throw new IllegalArgumentException("$THAW_NODE_CALL_TOKEN must differ from the API and join tokens");
        }
        if (!registry.equals("store") && !registry.equals("kubernetes")) {
            throw new IllegalArgumentException("--registry must be store or kubernetes, got '" + registry + "'");
        }
        var store = s3.external();
        if (registry.equals("kubernetes") && store == null) {
            throw new IllegalArgumentException("--registry kubernetes needs a store (--s3-endpoint): ThawFunctions name"
                    + " their code archives in it");
        }
        KubernetesClient functionsClient = registry.equals("kubernetes") ? new KubernetesClientBuilder().build() : null;
        KubernetesFunctions functions = functionsClient == null ? null
                : new KubernetesFunctions(functionsClient, functionsNamespace);
        // Without a store the registry is kept under THAW_HOME, so a restart still finds every function.
        Gateway gateway = Gateway.start(store == null
                ? config.withRegistryDir(config.home().root().resolve("gateway-registry")) : config.withS3(store),
                new TlsSettings(java.util.Optional.ofNullable(tlsCert), java.util.Optional.ofNullable(tlsKey),
                        java.util.Optional.ofNullable(tlsCa)), functions == null ? null : functions.registryFactory());
        if (functions != null) {
            String replica = System.getenv("HOSTNAME");
            functions.attach(gateway, replica == null || replica.isBlank() ? "gateway" : replica);
        }
        AutoCloseable discovery = kubernetesNamespace == null ? () -> { }
                : discover(gateway, callToken);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                discovery.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            if (functions != null) {
                functions.close();
                functionsClient.close();
            }
            gateway.close();
            stopped.countDown();
        }));
        System.out.println("thaw-gateway listening on " + gateway.url() + " (" + policy.label() + " placement, "
                + config.keepAlive().label() + " keep-alive"
                + (store == null ? ", no store" : ", store " + store.describe()) + ")");
        stopped.await();
        return 0;
    }

    private AutoCloseable discover(Gateway gateway, String callToken) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        NodeDiscovery discovery = new NodeDiscovery(client, kubernetesNamespace, nodeSelector, nodeDaemonSet,
                callToken, nodePort, gateway.membership(), Duration.ofSeconds(1));
        return () -> {
            discovery.close();
            client.close();
        };
    }

    static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("$" + name + " must hold the token");
        }
        return value;
    }
}
