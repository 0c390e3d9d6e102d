package dev.thaw.k8s.extender;

import dev.thaw.control.scheduling.SchedulerPolicy;
import java.net.InetSocketAddress;

/** {@code thaw-extender} command-line options. */
record ExtenderOptions(InetSocketAddress listen, SchedulerPolicy policy) {
    static final String USAGE = "usage: thaw-extender [--listen=HOST:PORT] [--policy=snapshot-aware|spread]";

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
        return new ExtenderOptions(address(listen), policy);
    }

    private static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        try {
            if (colon < 0) {
                throw new NumberFormatException();
            }
            String host = text.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen needs HOST:PORT, e.g. 0.0.0.0:8888, not '" + text + "'");
        }
    }
}
