package dev.thaw.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every manifest under deploy/ loads, and the RBAC grants exactly what each component needs. */
class DeployManifestsTest {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path BASE = DEPLOY.resolve("base");
    private static final List<String> READ = List.of("get", "list", "watch");

    @Test
    void everyDocumentUnderDeployLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(9);
        for (Path file : files) {
            assertThat(documents(file)).as(file.toString()).isNotEmpty().allSatisfy(d -> assertThat(d).isNotNull());
        }
    }

    @Test
    void theKustomizationListsEveryBaseManifestAndTheKindsExpected() throws IOException {
        Map<String, Object> kustomization = yaml(BASE.resolve("kustomization.yaml"));
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        List<String> kinds = new ArrayList<>();
        for (String resource : resources) {
            documents(BASE.resolve(resource)).forEach(d -> kinds.add(d.getKind()));
        }

        try (Stream<Path> listed = Files.list(BASE)) {
            assertThat(listed.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml"))).containsExactlyInAnyOrderElementsOf(resources);
        }
        assertThat(kinds).containsExactlyInAnyOrder("Namespace", "CustomResourceDefinition",
                "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ClusterRole",
                "ClusterRole", "ServiceAccount",
                "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                "RoleBinding", "Role", "RoleBinding", "DaemonSet", "Deployment", "Service", "Deployment", "Service");
        assertThat(documents(BASE.resolve("scheduler/thaw-scheduler-config.yaml")))
                .extracting(HasMetadata::getKind).containsExactly("KubeSchedulerConfiguration");
    }

    @Test
    void nodeAgentsMayWriteOnlyNodeSnapshotCaches() throws IOException {
        ClusterRole role = (ClusterRole) documents(BASE.resolve("rbac-node-agent.yaml")).stream()
                .filter(ClusterRole.class::isInstance).findFirst().orElseThrow();

        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("thaw.dev");
            assertThat(rule.getResources()).containsExactlyInAnyOrder("nodesnapshotcaches",
                    "nodesnapshotcaches/status");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch", "create", "update",
                    "patch");
        });
    }

    @Test
    void theGatewayAndExtenderOnlyRead() throws IOException {
        List<HasMetadata> docs = documents(BASE.resolve("rbac-control.yaml"));
        ClusterRole caches = docs.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();
        Role pods = docs.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();

        assertThat(caches.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("thaw.dev");
            assertThat(rule.getResources()).containsExactly("nodesnapshotcaches");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrderElementsOf(READ);
        });
        assertThat(pods.getMetadata().getNamespace()).isEqualTo("thaw");
        assertThat(pods.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrderElementsOf(READ);
        });
        // The node-agent DaemonSet, read by name only: discovery checks each pod's owner against it.
        assertThat(docs).filteredOn(Role.class::isInstance).map(Role.class::cast)
                .filteredOn(r -> r.getMetadata().getName().equals("thaw-control-daemonset")).singleElement()
                .satisfies(r -> assertThat(r.getRules()).singleElement().satisfies(rule -> {
                    assertThat(rule.getApiGroups()).containsExactly("apps");
                    assertThat(rule.getResources()).containsExactly("daemonsets");
                    assertThat(rule.getResourceNames()).containsExactly("thaw-node");
                    assertThat(rule.getVerbs()).containsExactly("get");
                }));
        assertThat(docs).filteredOn(d -> d.getKind().endsWith("Role"))
                .flatExtracting(d -> d instanceof Role r ? r.getRules() : ((ClusterRole) d).getRules())
                .flatExtracting(PolicyRule::getVerbs).doesNotContain("create", "update", "patch", "delete", "*");
    }

    @Test
    void namespaceUsersMayManageThawFunctionsButNotTheirStatus() throws IOException {
        List<ClusterRole> roles = documents(BASE.resolve("rbac-functions.yaml")).stream()
                .map(ClusterRole.class::cast).toList();
        ClusterRole editor = roles.stream().filter(r -> r.getMetadata().getName().equals("thaw-function-editor"))
                .findFirst().orElseThrow();
        ClusterRole viewer = roles.stream().filter(r -> r.getMetadata().getName().equals("thaw-function-viewer"))
                .findFirst().orElseThrow();

        assertThat(editor.getRules()).anySatisfy(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("thaw.dev");
            assertThat(rule.getResources()).containsExactly("thawfunctions");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch",
                    "delete");
        });
        assertThat(editor.getRules()).filteredOn(r -> r.getResources().contains("thawfunctions/status"))
                .flatExtracting(PolicyRule::getVerbs).containsExactly("get");
        assertThat(editor.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit",
                "true");
        assertThat(viewer.getRules()).flatExtracting(PolicyRule::getVerbs).containsOnlyOnceElementsOf(READ);
        assertThat(viewer.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-view",
                "true");
        // The example binds the editor role in one namespace only: a RoleBinding, not a ClusterRoleBinding.
        assertThat(documents(DEPLOY.resolve("examples/function-editor-rolebinding.yaml"))).singleElement()
                .satisfies(d -> {
                    assertThat(d.getKind()).isEqualTo("RoleBinding");
                    assertThat(d.getMetadata().getNamespace()).isEqualTo("team-a");
                });
    }

    @Test
    void theGatewayReadsThawFunctionsAndWritesOnlyTheirStatus() throws IOException {
        List<HasMetadata> docs = documents(BASE.resolve("rbac-gateway.yaml"));
        ClusterRole role = docs.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast)
                .findFirst().orElseThrow();

        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("thawfunctions");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrderElementsOf(READ);
        });
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResources()).containsExactly("thawfunctions/status");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "update", "patch");
        });
        assertThat(docs).extracting(HasMetadata::getKind).containsExactly("ServiceAccount", "ClusterRole",
                "ClusterRoleBinding");
        // The gateway may still read what thaw-control reads.
        assertThat(documents(BASE.resolve("rbac-control.yaml"))).filteredOn(d -> d.getKind().endsWith("Binding"))
                .allSatisfy(d -> assertThat(d instanceof io.fabric8.kubernetes.api.model.rbac.RoleBinding rb
                        ? rb.getSubjects() : ((io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding) d).getSubjects())
                        .extracting(io.fabric8.kubernetes.api.model.rbac.Subject::getName).contains("thaw-gateway"));
    }

    @Test
    void twoGatewayReplicasServeThawFunctionsBehindOneService() throws IOException {
        List<HasMetadata> docs = documents(BASE.resolve("gateway.yaml"));
        io.fabric8.kubernetes.api.model.apps.Deployment deployment = docs.stream()
                .filter(io.fabric8.kubernetes.api.model.apps.Deployment.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.apps.Deployment.class::cast).findFirst().orElseThrow();
        io.fabric8.kubernetes.api.model.Service service = docs.stream()
                .filter(io.fabric8.kubernetes.api.model.Service.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.Service.class::cast).findFirst().orElseThrow();
        var pod = deployment.getSpec().getTemplate().getSpec();

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(pod.getServiceAccountName()).isEqualTo("thaw-gateway");
        assertThat(pod.getContainers().getFirst().getArgs()).contains("--registry=kubernetes")
                .anyMatch(a -> a.startsWith("--functions-namespace="));
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void theNodeAgentGetsItsNodeNamePrivilegeAndSecrets() throws IOException {
        DaemonSet ds = (DaemonSet) documents(BASE.resolve("node-agent-daemonset.yaml")).getFirst();
        var pod = ds.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().getFirst();

        assertThat(pod.getServiceAccountName()).isEqualTo("thaw-node");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(container.getEnv()).filteredOn(e -> e.getValueFrom() != null
                && e.getValueFrom().getSecretKeyRef() != null)
                .extracting(e -> e.getValueFrom().getSecretKeyRef().getName()).containsOnly("thaw-s3", "thaw-tokens");
        // Privileged: the host's devices, /dev/kvm among them when the node has it.
        assertThat(container.getSecurityContext().getPrivileged()).isTrue();
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getImage()).isEqualTo("thaw-node");
    }

    @Test
    void theSchedulerExtenderIsIgnorableAndNamesItsVerbs() throws IOException {
        GenericKubernetesResource config = (GenericKubernetesResource) documents(
                BASE.resolve("scheduler/thaw-scheduler-config.yaml")).getFirst();
        @SuppressWarnings("unchecked")
        Map<String, Object> extender = ((List<Map<String, Object>>) config.getAdditionalProperties()
                .get("extenders")).getFirst();

        assertThat(extender).containsEntry("urlPrefix", "http://thaw-extender.thaw.svc:8888")
                .containsEntry("filterVerb", "filter").containsEntry("prioritizeVerb", "prioritize")
                .containsEntry("nodeCacheCapable", true).containsEntry("enableHTTPS", false)
                .containsEntry("ignorable", true).containsKey("weight");
    }

    private static List<HasMetadata> documents(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Object loaded = SERIALIZATION.unmarshal(in);
            if (loaded instanceof List<?> list) {
                return list.stream().map(HasMetadata.class::cast).toList();
            }
            return List.of((HasMetadata) loaded);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return SERIALIZATION.unmarshal(in, Map.class);
        }
    }
}
