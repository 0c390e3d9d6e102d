package dev.thaw.local;

import dev.thaw.control.Gateway;
import dev.thaw.control.GatewayConfig;
import dev.thaw.sandbox.testing.TestGuests;
import dev.thaw.local.s3.EmbeddedS3Server;
import dev.thaw.snapshot.store.S3Config;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * A gateway in a JVM of its own, for {@link GatewayKilledTest} to SIGKILL and start again on
 * the same port and store: prints {@code ready <url>} and waits. Arguments: port, S3 endpoint,
 * S3 access key, S3 secret key; the API and node tokens come from the environment.
 */
public final class KillableGateway {
    private KillableGateway() {
    }

    public static void main(String[] args) throws Exception {
        try {
            S3Config s3 = new S3Config(URI.create(args[1]), EmbeddedS3Server.REGION, "thaw", args[2], args[3], true);
            GatewayConfig config = GatewayConfig.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
                    System.getenv("THAW_TEST_API_TOKEN"), System.getenv("THAW_TEST_NODE_TOKEN")).withS3(s3)
                    .withHome(TestGuests.home()).withAllowHostPaths(true)
                    .withIdentityKey(System.getenv("THAW_TEST_IDENTITY_KEY"));
            Gateway gateway = Gateway.start(config);
            System.out.println("ready " + gateway.url());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        } catch (Exception | Error e) {
            e.printStackTrace(System.out);
            System.out.println("failed: " + e);
            System.out.flush();
            System.exit(1);
        }
    }
}
