package dev.thaw.cli;

import dev.thaw.k8s.sync.KubernetesNodeAgent;
import dev.thaw.node.service.NodeMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

@Command(name = "node",
        description = "Runs a node agent: it registers with a gateway (--gateway=URL), runs function instances in "
                + "microVMs and serves the node API. Options use the --key=value form; 'thaw node --help' lists "
                + "them. $THAW_NODE_TOKEN holds the cluster's join token: with --gateway the node joins once and "
                + "keeps a credential of its own in WORK_DIR/identity.json (mode 0600), reused after a restart; without "
                + "--gateway it is the token the node's API accepts. S3 credentials come from $THAW_S3_ACCESS_KEY and "
                + "$THAW_S3_SECRET_KEY. On Kubernetes, --kubernetes-node=NAME also keeps the node's NodeSnapshotCache "
                + "object up to date (--kubernetes-batch-ms, --kubernetes-resync-ms, --kubernetes-max-revisions).")
final class NodeCommand implements Callable<Integer> {
    // The node agent parses its own options, so 'thaw node' and the bare process take the same ones.
    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String[] args = arguments.toArray(String[]::new);
        if (arguments.stream().anyMatch(a -> a.startsWith("--kubernetes"))) {
            KubernetesNodeAgent.main(args);
        } else {
            NodeMain.main(args);
        }
        return 0;
    }
}
