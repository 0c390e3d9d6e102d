package dev.thaw.cli;

import dev.thaw.control.scheduling.SchedulerPolicy;
import dev.thaw.node.SnapshotMode;
import picocli.CommandLine.Option;

/** The shape of an embedded cluster, shared by {@code thaw up}, the demo and the gateway benchmark. */
final class ClusterOptions {
    @Option(names = "--nodes", defaultValue = "2", description = "node agents to start (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--policy", defaultValue = "snapshot-aware", paramLabel = "snapshot-aware|spread|cost-aware",
            converter = PolicyConverter.class,
            description = "how cold starts are placed (default: ${DEFAULT-VALUE})")
    SchedulerPolicy policy;

    @Option(names = "--mode", defaultValue = "remote", paramLabel = "disabled|local|remote",
            converter = ModeConverter.class,
            description = "snapshot mode of every node (default: ${DEFAULT-VALUE})")
    SnapshotMode mode;

    @Option(names = "--cache-budget-mib", defaultValue = "4096",
            description = "each node's disk for cached snapshots, images and chunks together, in MiB; 0 = fetch per start"
                    + " (default: ${DEFAULT-VALUE})")
    long cacheBudgetMib;

    @Option(names = "--node-memory-mib", defaultValue = "4096",
            description = "guest memory each node may hand out (default: ${DEFAULT-VALUE})")
    long memoryMib;

    @Option(names = "--node-slots", defaultValue = "8", description = "instances per node (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--prestart", defaultValue = "0",
            description = "VMMs each node keeps started per cached snapshot (default: ${DEFAULT-VALUE})")
    int prestart;

    static final class PolicyConverter implements picocli.CommandLine.ITypeConverter<SchedulerPolicy> {
        @Override
        public SchedulerPolicy convert(String value) {
            return SchedulerPolicy.parse(value);
        }
    }

    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<SnapshotMode> {
        @Override
        public SnapshotMode convert(String value) {
            return SnapshotMode.parse(value);
        }
    }
}
