package dev.thaw.k8s.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node agent's command line on Kubernetes: the node options of
 * {@code dev.thaw.node.service.NodeArguments} plus {@code --kubernetes-*} settings
 * for the NodeSnapshotCache sync.
 *
 * @param nodeArgs the arguments for the node itself, with {@code --name} added from the
 *     Kubernetes node name when it was not given
 * @param kubernetesNode the Kubernetes node, which names the NodeSnapshotCache object
 */
public record KubernetesOptions(List<String> nodeArgs, String kubernetesNode, SyncSettings sync) {
    public static final String NODE_NAME_ENV = "NODE_NAME";

    public static final String USAGE = """
            Kubernetes options (the API server is found in-cluster or from ~/.kube/config):
              --kubernetes-node=NAME           the Kubernetes node (default: $NODE_NAME from the downward API,
                                               else --name); names this node's NodeSnapshotCache
              --kubernetes-batch-ms=MS         least time between writes for added snapshots (default 500)
              --kubernetes-resync-ms=MS        how often the object is read back and repaired (default 10000)
              --kubernetes-max-revisions=N     revisions listed per node, 1 to 2000 (default 500)
            --name defaults to the Kubernetes node name.
            """;

    public KubernetesOptions {
        nodeArgs = List.copyOf(nodeArgs);
    }

    public static KubernetesOptions parse(String[] args, Map<String, String> env) {
        List<String> nodeArgs = new ArrayList<>();
        String kubernetesNode = null;
        String name = null;
        SyncSettings sync = SyncSettings.DEFAULTS;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String option = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            if (!option.startsWith("--kubernetes-")) {
                if (option.equals("--name")) {
                    name = value;
                }
                nodeArgs.add(arg);
                continue;
            }
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value, e.g. " + option + "=...");
            }
            switch (option) {
                case "--kubernetes-node" -> kubernetesNode = value;
                case "--kubernetes-batch-ms" -> sync = sync.withBatchInterval(millis(option, value));
                case "--kubernetes-resync-ms" -> sync = sync.withResyncInterval(millis(option, value));
                case "--kubernetes-max-revisions" -> sync = sync.withMaxRevisions((int) number(option, value, 1,
                        dev.thaw.k8s.crd.NodeSnapshotCacheStatus.MAX_REVISIONS));
                default -> throw new IllegalArgumentException("unknown option " + option + "; see --help");
            }
        }
        if (kubernetesNode == null || kubernetesNode.isBlank()) {
            kubernetesNode = env.get(NODE_NAME_ENV);
        }
        if (kubernetesNode == null || kubernetesNode.isBlank()) {
            kubernetesNode = name;
        }
        if (kubernetesNode == null || kubernetesNode.isBlank()) {
            throw new IllegalArgumentException("the Kubernetes node name is unknown: set $" + NODE_NAME_ENV
                    + " from the downward API (fieldRef spec.nodeName), or give --kubernetes-node or --name");
        }
        if (name == null) {
            nodeArgs.add("--name=" + kubernetesNode);
        }
        return new KubernetesOptions(nodeArgs, kubernetesNode, sync);
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
