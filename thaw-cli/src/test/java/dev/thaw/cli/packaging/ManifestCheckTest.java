package dev.thaw.cli.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.thaw.sandbox.ExternalCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kustomization under deploy/ builds with kubectl kustomize, parses strictly, and sets what a cluster needs. */
class ManifestCheckTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path BASE = DEPLOY.resolve("base");

    @BeforeAll
    static void needsKubectl() {
        assumeTrue(ExternalCommand.onPath("kubectl"), "kubectl (for kubectl kustomize) is not installed");
    }

    @Test
    void everyKustomizationBuildsAndEveryObjectParsesStrictly() throws IOException {
        List<Path> kustomizations;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            kustomizations = walk.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent).sorted().toList();
        }
        assertThat(kustomizations).contains(BASE, DEPLOY.resolve("overlays/example"));
        for (Path dir : kustomizations) {
            List<HasMetadata> objects = ManifestCheck.build(dir);
            // Namespace, 2 CRDs, 3 service accounts, 7 roles, 5 bindings, a DaemonSet, 2 Deployments, 2 Services,
            // the scheduler ConfigMap.
            assertThat(objects.size()).as(dir.toString()).isEqualTo(24);
            List<String> problems = ManifestCheck.problems(dir);
            // The base names placeholder images and nothing else is wrong with it.
            assertThat(problems).as(dir.toString()).allSatisfy(p -> assertThat(p).contains("placeholder image"));
        }
        assertThat(ManifestCheck.problems(DEPLOY.resolve("overlays/example"))).isEmpty();
    }

    @Test
    void theBaseNeedsAnOverlayForEveryWorkload() throws IOException {
        assertThat(ManifestCheck.problems(BASE)).containsExactlyInAnyOrder(
                "DaemonSet/thaw-node: container node still has the placeholder image 'thaw-node'; the overlay needs an"
                        + " images: entry with name: thaw-node (thaw package image --push ... --overlay DIR writes one)",
                "Deployment/thaw-gateway: container gateway still has the placeholder image 'thaw-control'; the overlay"
                        + " needs an images: entry with name: thaw-control (thaw package image --push ... --overlay DIR"
                        + " writes one)",
                "Deployment/thaw-extender: container extender still has the placeholder image 'thaw-control'; the"
                        + " overlay needs an images: entry with name: thaw-control (thaw package image --push ..."
                        + " --overlay DIR writes one)");
    }

    @Test
    void anOverlayMissingAnImageNameFailsAtBuildTime(@TempDir Path dir) throws IOException {
        KustomizeOverlay.write(dir, BASE, Map.of(ImageKind.NODE, ImageReference.parse("127.0.0.1:5000/thaw-node:1")),
                Map.of(ImageKind.NODE, "sha256:" + "a".repeat(64)));

        List<String> problems = ManifestCheck.problems(dir);

        assertThat(problems).hasSize(2).allSatisfy(p -> assertThat(p).contains("'thaw-control'"));
        DaemonSet node = (DaemonSet) ManifestCheck.build(dir).stream().filter(DaemonSet.class::isInstance)
                .findFirst().orElseThrow();
        assertThat(node.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage())
                .isEqualTo("127.0.0.1:5000/thaw-node@sha256:" + "a".repeat(64));
    }

    @Test
    void aMisspeltFieldIsCaught(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("kustomization.yaml"), """
                resources:
                  - %s
                patches:
                  - target:
                      kind: Deployment
                      name: thaw-gateway
                    patch: |-
                      - op: add
                        path: /spec/template/spec/containers/0/readOnlyRootFilesytem
                        value: true
                """.formatted(dir.relativize(BASE)));

        assertThat(ManifestCheck.problems(dir)).anySatisfy(p -> assertThat(p)
                .startsWith("Deployment/thaw-gateway.spec.template.spec.containers[0]: unknown field")
                .contains("readOnlyRootFilesytem"));
    }

    @Test
    void theNodeAgentRollsOneNodeAtATimeWithMemoryForItsGuests() throws IOException {
        DaemonSet ds = ManifestCheck.build(BASE).stream().filter(DaemonSet.class::isInstance).map(DaemonSet.class::cast)
                .findFirst().orElseThrow();
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container node = pod.getContainers().getFirst();
        long guestMib = Long.parseLong(node.getArgs().stream().filter(a -> a.startsWith("--memory-mib="))
                .findFirst().orElseThrow().substring("--memory-mib=".length()));

        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(mib(node.getResources().getRequests().get("memory"))).isEqualTo(guestMib + 2048);
        assertThat(mib(node.getResources().getLimits().get("memory")))
                .isGreaterThanOrEqualTo(mib(node.getResources().getRequests().get("memory")));
        var shm = pod.getVolumes().stream().filter(v -> v.getName().equals("shm")).findFirst().orElseThrow();
        assertThat(shm.getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(mib(shm.getEmptyDir().getSizeLimit())).isEqualTo(guestMib + 1024);
        assertThat(node.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/dev/shm"));
        var cache = pod.getVolumes().stream().filter(v -> v.getName().equals("cache")).findFirst().orElseThrow();
        assertThat(cache.getHostPath().getPath()).isEqualTo("/var/lib/thaw");
        assertThat(node.getArgs()).contains("--thaw-home=/var/lib/thaw/home");
        for (var probe : List.of(node.getStartupProbe(), node.getReadinessProbe(), node.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("node-api");
        }
        assertThat(node.getSecurityContext().getPrivileged()).isTrue();
        assertThat(node.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void theGatewayAndExtenderRunAsNonRootOnReadOnlyRoots() throws IOException {
        List<Deployment> deployments = ManifestCheck.build(BASE).stream().filter(Deployment.class::isInstance)
                .map(Deployment.class::cast).toList();

        assertThat(deployments).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("thaw-gateway", "thaw-extender");
        for (Deployment deployment : deployments) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().getFirst();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
            assertThat(container.getImage()).isEqualTo(ImageKind.CONTROL.imageName());
            assertThat(container.getCommand()).isEmpty();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(container.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        }
    }

    private static long mib(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).longValueExact() >> 20;
    }
}
