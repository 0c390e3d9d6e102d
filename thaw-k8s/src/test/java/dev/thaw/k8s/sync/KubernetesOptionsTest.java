package dev.thaw.k8s.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesOptionsTest {
    private static final Map<String, String> ENV = Map.of("THAW_NODE_TOKEN", "t", "HOME", "/home/someone");

    @Test
    void theNodeNameComesFromTheDownwardApiWhenNotGiven() {
        var parsed = KubernetesOptions.parse(new String[] {"--kubernetes-batch-ms=20", "--kubernetes-resync-ms=30",
            "--kubernetes-max-revisions=7", "--slots=2"}, Map.of("THAW_NODE_TOKEN", "t", "NODE_NAME", "worker-1",
                "HOME", "/home/someone"));
        assertThat(parsed.kubernetesNode()).isEqualTo("worker-1");
        assertThat(parsed.node().name()).isEqualTo("worker-1");
        assertThat(parsed.node().slots()).isEqualTo(2);
        assertThat(parsed.sync().batchInterval()).isEqualTo(Duration.ofMillis(20));
        assertThat(parsed.sync().resyncInterval()).isEqualTo(Duration.ofMillis(30));
        assertThat(parsed.sync().maxRevisions()).isEqualTo(7);
    }

    @Test
    void anExplicitNameKeepsItsOwnValue() {
        var parsed = KubernetesOptions.parse(new String[] {"--name=n1", "--kubernetes-node=k1"}, ENV);
        assertThat(parsed.node().name()).isEqualTo("n1");
        assertThat(parsed.kubernetesNode()).isEqualTo("k1");
    }

    @Test
    void mistakesNameTheOption() {
        assertThatThrownBy(() -> KubernetesOptions.parse(new String[] {}, ENV)).hasMessageContaining("NODE_NAME");
        assertThatThrownBy(() -> KubernetesOptions.parse(new String[] {"--name=n", "--kubernetes-batch-ms=0"}, ENV))
                .hasMessageContaining("--kubernetes-batch-ms needs a number from 1");
        assertThatThrownBy(() -> KubernetesOptions.parse(new String[] {"--name=n", "--kubernetes-colour=x"}, ENV))
                .hasMessageContaining("unknown option --kubernetes-colour");
        assertThat(KubernetesOptions.usage()).contains("--kubernetes-node", "--name", "--token-file");
    }
}
