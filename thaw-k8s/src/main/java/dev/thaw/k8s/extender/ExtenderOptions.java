package dev.thaw.k8s.extender;

import dev.thaw.node.http.ListenAddress;
import dev.thaw.control.scheduling.SchedulerPolicy;
import java.net.InetSocketAddress;

/** {@code thaw-extender} command-line options. */
record ExtenderOptions(InetSocketAddress listen, SchedulerPolicy policy) {
    static final String USAGE = "usage: thaw-extender [--listen=HOST:PORT] [--policy=snapshot-aware|spread|cost-aware]";

    static ExtenderOptions parse(String... args) {
        String listen = "0.0.0.0:8888";
        SchedulerPolicy policy = SchedulerPolicy.SNAPSHOT_AWARE;
        for (String arg : args) {
            if (arg.startsWith("--listen=")) {
                listen = arg.substring("--listen=".length());
            } else if (arg.startsWith("--policy=")) {
                policy = SchedulerPolicy.parse(arg.substring("--policy=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; " + USAGE);
            }
        }
        return new ExtenderOptions(ListenAddress.parse(listen, "0.0.0.0:8888").socketAddress(), policy);
    }
}
