package dev.thaw.node.service;

import dev.thaw.http.VirtualThreadCarriers;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * The node agent as a process: {@code java -cp ... dev.thaw.node.service.NodeMain --name=node-1 ...}.
 * Prints {@code thaw-node NAME listening on URL} once it serves; SIGTERM stops
 * every instance and VM before the process exits. Bad arguments exit with status 2.
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) {
        VirtualThreadCarriers.widen();
        if (NodeArguments.wantsHelp(args)) {
            System.out.print(NodeArguments.usage());
            return;
        }
        NodeServiceConfig config;
        dev.thaw.http.TlsSettings tls;
        try {
            config = NodeArguments.parse(args, System.getenv());
            tls = NodeArguments.tls(args);
        } catch (IllegalArgumentException e) {
            System.err.println("thaw-node: " + e.getMessage());
            System.exit(2);
            return;
        }
        NodeServer server;
        try {
            server = NodeServer.start(NodeService.open(config), tls);
        } catch (IOException | RuntimeException e) {
            System.err.println("thaw-node: node " + config.name() + " could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "thaw-node-shutdown"));
        System.out.println("thaw-node " + config.name() + " listening on " + server.url());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
