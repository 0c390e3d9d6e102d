package dev.thaw.k8s.extender;

import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.http.ListenAddress;
import dev.thaw.node.service.CommandOptions;
import java.net.InetSocketAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thaw-extender} command-line options. */
@Command(name = "thaw-extender", sortOptions = false, usageHelpAutoWidth = true,
        description = "Serves kube-scheduler's extender calls (POST /filter, /prioritize) from the NodeSnapshotCache"
                + " objects it watches. Credentials: in-cluster, or the kubeconfig. It has no token of its own:"
                + " expose it only inside the cluster.")
final class ExtenderOptions {
    static final String USAGE = "usage: thaw-extender [--listen=HOST:PORT] [--policy=snapshot-aware|spread|cost-aware]";
    private static final String DEFAULT_LISTEN = "0.0.0.0:8888";

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "where it listens (default " + DEFAULT_LISTEN
            + ")")
    String listen = DEFAULT_LISTEN;
    @Option(names = "--policy", paramLabel = "POLICY",
            description = "how nodes are scored: snapshot-aware, spread or cost-aware (default snapshot-aware)")
    String policy = "snapshot-aware";
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    private InetSocketAddress address;
    private SchedulerPolicy schedulerPolicy;

    static ExtenderOptions parse(String... args) {
        ExtenderOptions options;
        try {
            options = CommandOptions.parse(new ExtenderOptions(), args);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; " + USAGE, e);
        }
        options.address = ListenAddress.parse(options.listen, DEFAULT_LISTEN).socketAddress();
        options.schedulerPolicy = SchedulerPolicy.parse(options.policy);
        return options;
    }

    static String usage() {
        return CommandOptions.usage(new ExtenderOptions());
    }

    InetSocketAddress listen() {
        return address;
    }

    SchedulerPolicy policy() {
        return schedulerPolicy;
    }
}
