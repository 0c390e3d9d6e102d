package dev.thaw.k8s.sync;

import dev.thaw.k8s.crd.NodeSnapshotCacheStatus;
import dev.thaw.node.service.CommandOptions;
import dev.thaw.node.service.NodeArguments;
import dev.thaw.node.service.NodeServiceConfig;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The node agent's command line on Kubernetes: the node options of {@link NodeArguments} plus
 * {@code --kubernetes-*} settings for the NodeSnapshotCache sync. {@code --name} defaults to the
 * Kubernetes node name.
 */
@Command(name = "thaw-node", sortOptions = false, usageHelpAutoWidth = true,
        description = "The node agent on Kubernetes: the node API plus its NodeSnapshotCache object, kept up to date."
                + " The API server is found in-cluster or from ~/.kube/config.",
        footer = {"", "--name defaults to the Kubernetes node name. Secrets are never options: the join token comes"
                + " from $" + NodeArguments.TOKEN_ENV + " or --token-file, S3 credentials from $"
                + NodeArguments.S3_ACCESS_KEY_ENV + " and $" + NodeArguments.S3_SECRET_KEY_ENV + "."})
public final class KubernetesOptions {
    public static final String NODE_NAME_ENV = "NODE_NAME";

    @Mixin
    NodeArguments node = new NodeArguments();
    @Option(names = "--kubernetes-node", paramLabel = "NAME", description = "the Kubernetes node (default: $"
            + NODE_NAME_ENV + " from the downward API, else --name); names this node's NodeSnapshotCache")
    String kubernetesNode;
    @Option(names = "--kubernetes-batch-ms", paramLabel = "MS",
            description = "least time between writes for added snapshots (default 500)")
    String batchMs;
    @Option(names = "--kubernetes-resync-ms", paramLabel = "MS",
            description = "how often the object is read back and repaired (default 10000)")
    String resyncMs;
    @Option(names = "--kubernetes-max-revisions", paramLabel = "N",
            description = "revisions listed per node, 1 to " + NodeSnapshotCacheStatus.MAX_REVISIONS + " (default 500)")
    String maxRevisions;

    /** What the command line and {@code env} say. */
    public record Parsed(NodeServiceConfig node, String kubernetesNode, SyncSettings sync) {
    }

    /** The usage text that {@code --help} prints. */
    public static String usage() {
        return CommandOptions.usage(new KubernetesOptions());
    }

    public static Parsed parse(String[] args, Map<String, String> env) {
        KubernetesOptions options = CommandOptions.parse(new KubernetesOptions(), args);
        String k8sNode = options.kubernetesNode;
        if (k8sNode == null || k8sNode.isBlank()) {
            k8sNode = env.get(NODE_NAME_ENV);
        }
        if (k8sNode == null || k8sNode.isBlank()) {
            k8sNode = options.node.name().orElse(null);
        }
        if (k8sNode == null || k8sNode.isBlank()) {
            throw new IllegalArgumentException("the Kubernetes node name is unknown: set $" + NODE_NAME_ENV
                    + " from the downward API (fieldRef spec.nodeName), or give --kubernetes-node or --name");
        }
        SyncSettings sync = SyncSettings.DEFAULTS;
        if (options.batchMs != null) {
            sync = sync.withBatchInterval(millis("--kubernetes-batch-ms", options.batchMs));
        }
        if (options.resyncMs != null) {
            sync = sync.withResyncInterval(millis("--kubernetes-resync-ms", options.resyncMs));
        }
        if (options.maxRevisions != null) {
            sync = sync.withMaxRevisions((int) number("--kubernetes-max-revisions", options.maxRevisions, 1,
                    NodeSnapshotCacheStatus.MAX_REVISIONS));
        }
        options.node.defaultName(k8sNode);
        return new Parsed(options.node.toConfig(env), k8sNode, sync);
    }

    private static Duration millis(String option, String value) {
        return Duration.ofMillis(number(option, value, 1, 3_600_000));
    }

    private static long number(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a number from " + min + " to " + max + ", got '" + value
                + "'");
    }
}
