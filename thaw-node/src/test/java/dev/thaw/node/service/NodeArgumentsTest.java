package dev.thaw.node.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.thaw.node.SnapshotMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeArgumentsTest {
    private static final Map<String, String> ENV = Map.of("THAW_NODE_TOKEN", "from-env", "HOME", "/home/someone");

    @Test
    void defaultsNeedOnlyANameAndAToken() {
        NodeServiceConfig config = NodeArguments.parse(new String[] {"--name=node-1"}, ENV);
        assertThat(config.name()).isEqualTo("node-1");
        assertThat(config.token()).isEqualTo("from-env");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.gateways()).isEmpty();
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.memoryMib()).isEqualTo(4096);
        assertThat(config.slots()).isEqualTo(8);
        assertThat(config.bodyLimitBytes()).isEqualTo(6L << 20);
        assertThat(config.mode()).isEqualTo(SnapshotMode.LOCAL);
        assertThat(config.thawHome()).isEqualTo(Path.of("/home/someone/.thaw"));
        assertThat(config.workDir()).isEqualTo(Path.of("/home/someone/.thaw/nodes/node-1"));
    }

    @Test
    void everyOptionIsRead() throws Exception {
        NodeServiceConfig config = NodeArguments.parse(new String[] {"--name=n2", "--listen=0.0.0.0:7071",
            "--token-file=" + tokenFile("t\n"), "--gateway=http://gw:7000", "--public-url=http://n2:7071",
            "--heartbeat-ms=250",
            "--mode=remote", "--work-dir=/srv/n2", "--cache-budget-mib=10", "--memory-mib=512", "--slots=3",
            "--body-limit-mib=1", "--prestart=2", "--s3-endpoint=http://minio:9000", "--s3-bucket=snaps",
            "--s3-region=eu", "--thaw-home=/opt/thaw"},
                Map.of("THAW_S3_ACCESS_KEY", "a", "THAW_S3_SECRET_KEY", "s"));
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(7071);
        assertThat(config.token()).isEqualTo("t");
        assertThat(config.gateways()).containsExactly(URI.create("http://gw:7000"));
        assertThat(config.publicUrl()).contains(URI.create("http://n2:7071"));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.mode()).isEqualTo(SnapshotMode.REMOTE);
        assertThat(config.workDir()).isEqualTo(Path.of("/srv/n2"));
        assertThat(config.cacheBudgetBytes()).isEqualTo(10L << 20);
        assertThat(config.memoryMib()).isEqualTo(512);
        assertThat(config.slots()).isEqualTo(3);
        assertThat(config.bodyLimitBytes()).isEqualTo(1L << 20);
        assertThat(config.prestart()).isEqualTo(2);
        assertThat(config.s3().orElseThrow().bucket()).isEqualTo("snaps");
        assertThat(config.s3().orElseThrow().region()).isEqualTo("eu");
        assertThat(config.thawHome()).isEqualTo(Path.of("/opt/thaw"));
    }

    @Test
    void severalGatewaysAreRepeatedOrCommaSeparated() {
        NodeServiceConfig config = NodeArguments.parse(new String[] {"--name=n", "--gateway=http://gw-1:7000",
            "--gateway=http://gw-2:7000, https://gw-3:7443"}, ENV);
        assertThat(config.gateways()).containsExactly(URI.create("http://gw-1:7000"), URI.create("http://gw-2:7000"),
                URI.create("https://gw-3:7443"));
        assertRefused(new String[] {"--name=n", "--gateway=http://gw:7000,ftp://gw:21"}, ENV,
                "--gateway must be an http:// or https:// URL, got 'ftp://gw:21'");
        assertRefused(new String[] {"--name=n", "--gateway=http://gw:7000,http://gw:7000"}, ENV,
                "a gateway is named twice");
    }

    @Test
    void mistakesNameTheOption() {
        assertRefused(new String[] {}, ENV, "--name is required");
        assertRefused(new String[] {"--name=n"}, Map.of(), "THAW_NODE_TOKEN");
        assertRefused(new String[] {"--name=n", "--slots=0"}, ENV, "--slots");
        assertRefused(new String[] {"--name=n", "--cache-eviction=mru"}, ENV, "lru, lfu, gdsf");
        assertRefused(new String[] {"--name=n", "--listen=7070"}, ENV, "--listen must be HOST:PORT");
        assertRefused(new String[] {"--name=n", "--listen=h:99999"}, ENV, "--listen");
        assertRefused(new String[] {"--name=n", "--colour=blue"}, ENV, "unknown option --colour");
        assertRefused(new String[] {"--name=n", "--mode=everywhere"}, ENV, "disabled, local or remote");
        assertRefused(new String[] {"--name=n", "--mode=remote"}, ENV, "--s3-endpoint");
        assertRefused(new String[] {"--name=n", "--gateway=gw:7000"}, ENV, "--gateway must be an http");
        assertRefused(new String[] {"--name=n", "--s3-endpoint=http://s3:9000"}, ENV, "THAW_S3_ACCESS_KEY");
        assertRefused(new String[] {"--name=Bad Name"}, ENV, "node name");
        assertRefused(new String[] {"--name=n", "stray"}, ENV, "unexpected argument 'stray'");
        assertRefused(new String[] {"--name=n", "--heartbeat-ms=999999999"}, ENV, "--heartbeat-ms needs a number from 1 to 60000");
        assertRefused(new String[] {"--name=n", "--memory-mib=99999999999"}, ENV, "--memory-mib needs a number from 1 to");
    }

    @Test
    void tokensComeFromTheEnvironmentOrAFileNeverTheCommandLine() throws Exception {
        assertRefused(new String[] {"--name=n", "--token=secret"}, ENV, "--token is not accepted");
        assertRefused(new String[] {"--name=n", "--token=secret"}, ENV, "THAW_NODE_TOKEN");
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"--name=n", "--token=s3cr3t"}, ENV))
                .message().doesNotContain("s3cr3t");
        NodeServiceConfig fromFile = NodeArguments.parse(new String[] {"--name=n", "--token-file="
                + tokenFile("  from-file \n")}, Map.of());
        assertThat(fromFile.token()).isEqualTo("from-file");
        assertThat(fromFile.toString()).as("never logged").doesNotContain("from-file");
        assertRefused(new String[] {"--name=n", "--token-file=/nonexistent/token"}, ENV, "cannot be read");
        assertRefused(new String[] {"--name=n", "--token-file=" + tokenFile("a\nb")}, ENV, "one line");
    }

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    private static String tokenFile(String content) throws java.io.IOException {
        return java.nio.file.Files.writeString(java.nio.file.Files.createTempFile(dir, "token", ".txt"), content)
                .toString();
    }

    private static void assertRefused(String[] args, Map<String, String> env, String message) {
        assertThatThrownBy(() -> NodeArguments.parse(args, env)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void cacheEvictionDefaultsToLruAndReachesTheRuntimeConfig() {
        assertThat(NodeArguments.parse(new String[] {"--name=n"}, ENV).nodeConfig().cacheEviction()).isEqualTo("lru");
        assertThat(NodeArguments.parse(new String[] {"--name=n", "--cache-eviction=GDSF"}, ENV).nodeConfig()
                .cacheEviction()).isEqualTo("gdsf");
    }

    @Test
    void helpListsEveryOptionButTheRefusedToken() {
        String usage = NodeArguments.usage();
        for (String option : new String[] {"--name", "--listen", "--public-url", "--token-file", "--gateway",
            "--heartbeat-ms", "--mode", "--work-dir", "--cache-budget-mib", "--cache-eviction", "--memory-mib",
            "--slots", "--body-limit-mib", "--prestart", "--s3-endpoint", "--s3-bucket", "--s3-region",
            "--thaw-home", "--help"}) {
            assertThat(usage).contains(option);
        }
        assertThat(usage).doesNotContain("--token=").doesNotContain("--token ");
        assertThat(NodeArguments.wantsHelp(new String[] {"--name=n", "-h"})).isTrue();
    }

    @Test
    void anOptionGivenTwiceOrWithoutAValueIsRefused() {
        assertRefused(new String[] {"--name=n", "--slots=2", "--slots=3"}, ENV, "--slots is given twice");
        assertRefused(new String[] {"--name=n", "--slots"}, ENV, "--slots needs a value");
        assertRefused(new String[] {"--name=n", "--token", "s3cr3t"}, ENV, "--token is not accepted");
        assertThatThrownBy(() -> NodeArguments.parse(new String[] {"--name=n", "--token", "s3cr3t"}, ENV))
                .message().doesNotContain("s3cr3t");
    }
}
