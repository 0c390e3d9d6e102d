package dev.thaw.cli;

import dev.thaw.k8s.extender.ExtenderMain;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

@Command(name = "extender",
        description = "Runs the kube-scheduler extender: POST /filter and /prioritize score nodes for pods labelled "
                + "thaw.dev/function and thaw.dev/revision with Thaw's snapshot-aware scoring, over the "
                + "NodeSnapshotCache objects it watches through one informer. Options: --listen=HOST:PORT "
                + "(default 0.0.0.0:8888), --policy=snapshot-aware|spread|cost-aware. Credentials: in-cluster, or the "
                + "kubeconfig. It has no token of its own: expose it only inside the cluster.")
final class ExtenderCommand implements Callable<Integer> {
    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ExtenderMain.main(arguments.toArray(String[]::new));
        return 0;
    }
}
