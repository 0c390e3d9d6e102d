package dev.thaw.node.service;

import dev.thaw.node.http.ListenAddress;
import dev.thaw.node.SnapshotMode;
import dev.thaw.snapshot.store.S3Config;
import java.net.URI;
import dev.thaw.snapshot.cache.EvictionPolicy;
import dev.thaw.http.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The node agent's command line ({@code --option=value}) as picocli options, turned into a
 * {@link NodeServiceConfig}. Secrets come from the environment or a file so they stay out of
 * process lists. Every mistake is an {@link IllegalArgumentException} whose message names the
 * option. On Kubernetes it is a mixin of the agent's command, which adds its own options.
 */
@Command(name = "thaw-node", sortOptions = false, usageHelpAutoWidth = true,
        description = "The node agent: runs function instances in microVMs and serves the node API.",
        footer = {"", "Secrets are never options: the join token comes from $" + NodeArguments.TOKEN_ENV
                + " or --token-file, S3 credentials from $" + NodeArguments.S3_ACCESS_KEY_ENV + " and $"
                + NodeArguments.S3_SECRET_KEY_ENV + "."})
public final class NodeArguments {
    public static final String TOKEN_ENV = "THAW_NODE_TOKEN";
    public static final String S3_ACCESS_KEY_ENV = "THAW_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY_ENV = "THAW_S3_SECRET_KEY";
    /** The most memory or cache a node may be given: 16 TiB, in MiB. */
    static final long MAX_MIB = 16L << 20;

    // Values stay text until toConfig, which checks ranges and names the option in its errors.
    @Option(names = "--name", paramLabel = "NAME", description = "this node's name in the cluster (required)")
    String name;
    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "where the API listens (default 127.0.0.1:0, 0 picks a free port)")
    String listen;
    @Option(names = "--public-url", paramLabel = "URL",
            description = "where the gateway reaches this node (default: from the bound address)")
    String publicUrl;
    @Option(names = "--token-file", paramLabel = "FILE", description = {"read the join token from FILE (default:"
            + " $" + TOKEN_ENV + "); never on the command line, where every user of the host could read it."
            + " With --gateway the node joins once and keeps its own credential in WORK_DIR/identity.json;"
            + " without, it is the one token its API accepts"})
    String tokenFile;
    @Option(names = "--gateway", paramLabel = "URL", split = ",", description = "register and heartbeat there"
            + " (default: standalone); repeat it, or give a comma-separated list, for a node of several gateways")
    java.util.List<String> gateways;
    @Option(names = "--heartbeat-ms", paramLabel = "MS", description = "heartbeat interval (default 1000)")
    String heartbeatMs;
    @Option(names = "--mode", paramLabel = "MODE", description = "snapshots: disabled, local or remote (default local)")
    String mode;
    @Option(names = "--work-dir", paramLabel = "DIR", description = "cache and scratch space (default THAW_HOME/nodes/NAME)")
    String workDir;
    @Option(names = "--cache-budget-mib", paramLabel = "MIB", description = "disk for snapshots, images and lazily fetched chunks, all together (default 4096)")
    String cacheBudgetMib;
    @Option(names = "--cache-eviction", paramLabel = "POLICY",
            description = "which cache entries go first: lru, lfu or gdsf (default lru)")
    String cacheEviction;
    @Option(names = "--memory-mib", paramLabel = "MIB", description = "guest memory for instances (default 4096)")
    String memoryMib;
    @Option(names = "--slots", paramLabel = "N", description = "instances at once (default 8)")
    String slots;
    @Option(names = "--body-limit-mib", paramLabel = "MIB", description = "largest request body (default 6)")
    String bodyLimitMib;
    @Option(names = "--prestart", paramLabel = "N", description = "VMMs kept started per cached snapshot (default 0)")
    String prestart;
    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible store, credentials from $"
            + S3_ACCESS_KEY_ENV + " and $" + S3_SECRET_KEY_ENV)
    String s3Endpoint;
    @Option(names = "--s3-bucket", paramLabel = "NAME", description = "(default thaw)")
    String s3Bucket;
    @Option(names = "--s3-region", paramLabel = "REGION", description = "(default us-east-1)")
    String s3Region;
    @Option(names = "--thaw-home", paramLabel = "DIR", description = "guest kernel cache (default $THAW_HOME, else ~/.thaw)")
    String thawHome;
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "serve HTTPS with this PEM certificate chain (with --tls-key)")
    String tlsCert;
    @Option(names = "--tls-key", paramLabel = "FILE", description = "the PEM (PKCS#8, unencrypted) private key of --tls-cert")
    String tlsKey;
    @Option(names = "--tls-ca", paramLabel = "FILE", description = "PEM CA certificate(s) an https:// gateway is verified"
            + " against (default: the JDK's trust store)")
    String tlsCa;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;
    // Accepted only to be refused with a reason; its value is never shown.
    @Option(names = "--token", hidden = true)
    String token;

    /** Whether the user asked for the usage text. */
    public static boolean wantsHelp(String[] args) {
        return CommandOptions.wantsHelp(args);
    }

    /** The usage text that {@code --help} prints. */
    public static String usage() {
        return CommandOptions.usage(new NodeArguments());
    }

    /** @param env the process environment (a map, so tests need not set real variables) */
    public static NodeServiceConfig parse(String[] args, Map<String, String> env) {
        return CommandOptions.parse(new NodeArguments(), args).toConfig(env);
    }

    /** The name given with {@code --name}, if any. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Gives {@code --name} when the command line did not. */
    public void defaultName(String value) {
        if (name == null) {
            name = value;
        }
    }

    /** The configuration these options describe; {@code env} supplies secrets and {@code THAW_HOME}. */
    public NodeServiceConfig toConfig(Map<String, String> env) {
        if (token != null) {
            throw new IllegalArgumentException("--token is not accepted: a token on the command line is visible"
                    + " to every user of the host; put it in $" + TOKEN_ENV + " or in a file for --token-file");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("--name is required, e.g. --name=node-1");
        }
        ListenAddress address = ListenAddress.parse(listen == null ? "127.0.0.1:0" : listen, "0.0.0.0:7070");
        String secret = tokenFile != null ? tokenFile(tokenFile) : env.get(TOKEN_ENV);
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("a node token is required: $" + TOKEN_ENV + " or --token-file=FILE");
        }
        Path home = thawHome(env);
        SnapshotMode snapshots = SnapshotMode.parse(mode == null ? "local" : mode);
        Path work = Path.of(workDir != null ? workDir : home.resolve("nodes").resolve(name).toString())
                .toAbsolutePath();
        return new NodeServiceConfig(name, address.host(), address.port(), url("public-url", publicUrl), secret,
                gateways == null ? java.util.List.of()
                        : gateways.stream().map(g -> uri("gateway", g.strip())).toList(),
                Duration.ofMillis(number("heartbeat-ms", heartbeatMs, 1000, 1, 60_000)),
                number("memory-mib", memoryMib, NodeServiceConfig.DEFAULT_MEMORY_MIB, 1, MAX_MIB),
                (int) number("slots", slots, NodeServiceConfig.DEFAULT_SLOTS, 1, 100_000),
                number("body-limit-mib", bodyLimitMib, 6, 1, 1024) << 20, snapshots, work,
                number("cache-budget-mib", cacheBudgetMib, NodeServiceConfig.DEFAULT_CACHE_BUDGET >> 20, 0,
                        MAX_MIB) << 20,
                (int) number("prestart", prestart, 0, 0, 64), s3(env), home,
                EvictionPolicy.parse(cacheEviction == null ? "lru" : cacheEviction).name());
    }

    /** The TLS files among {@code args} (already checked by {@link #parse}). */
    public static TlsSettings tls(String[] args) {
        NodeArguments given = CommandOptions.parse(new NodeArguments(), args);
        return new TlsSettings(Optional.ofNullable(given.tlsCert).map(Path::of),
                Optional.ofNullable(given.tlsKey).map(Path::of), Optional.ofNullable(given.tlsCa).map(Path::of));
    }

    /** The token in {@code file}: its first line, at most 4 KiB read. */
    static String tokenFile(String file) {
        try (var in = java.nio.file.Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes(4097);
            if (bytes.length > 4096) {
                throw new IllegalArgumentException("--token-file " + file + " is larger than 4096 bytes; it must hold"
                        + " only the token");
            }
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).strip();
            if (text.isEmpty() || text.contains("\n")) {
                throw new IllegalArgumentException("--token-file " + file + " must hold the token on one line");
            }
            return text;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--token-file " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private Path thawHome(Map<String, String> env) {
        String home = thawHome;
        if (home == null || home.isBlank()) {
            home = env.get("THAW_HOME");
        }
        if (home == null || home.isBlank()) {
            String user = env.getOrDefault("HOME", System.getProperty("user.home"));
            return Path.of(user, ".thaw").toAbsolutePath();
        }
        return Path.of(home).toAbsolutePath();
    }

    private Optional<S3Config> s3(Map<String, String> env) {
        if (s3Endpoint == null) {
            if (s3Bucket != null || s3Region != null) {
                throw new IllegalArgumentException("--s3-bucket and --s3-region need --s3-endpoint");
            }
            return Optional.empty();
        }
        String access = env.get(S3_ACCESS_KEY_ENV);
        String secret = env.get(S3_SECRET_KEY_ENV);
        if (access == null || access.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("--s3-endpoint needs credentials in $" + S3_ACCESS_KEY_ENV + " and $"
                    + S3_SECRET_KEY_ENV);
        }
        return Optional.of(new S3Config(uri("s3-endpoint", s3Endpoint), s3Region == null ? "us-east-1" : s3Region,
                s3Bucket == null ? "thaw" : s3Bucket, access, secret, true));
    }

    private static Optional<URI> url(String option, String value) {
        return value == null ? Optional.empty() : Optional.of(uri(option, value));
    }

    private static URI uri(String option, String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + option + " must be an http:// or https:// URL, got '" + value
                    + "'");
        }
    }

    private static long number(String option, String value, long fallback, long min, long max) {
        if (value == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + option + " needs a number from " + min + " to " + max
                    + ", got '" + value + "'");
        }
    }
}
