package dev.thaw.control.extender;

import dev.thaw.wire.v1.extender.ExtenderArgs;
import java.util.List;
import java.util.stream.Collectors;

/**
 * ExtenderArgs bodies as kube-scheduler 1.3x sends them: a full v1 Pod, and either a
 * full v1 NodeList or (nodeCacheCapable) only node names.
 */
final class KubeSchedulerPayloads {
    private KubeSchedulerPayloads() {
    }

    /** A pod of function {@code hello}: the label says revision 2, the annotation 3, and the annotation wins. */
    static final String THAW_POD = """
            {
              "metadata": {
                "name": "hello-7d9f8b6c5-x2x9k",
                "generateName": "hello-7d9f8b6c5-",
                "namespace": "functions",
                "uid": "0f2a6c1e-8d3b-4c55-9f1a-2b7e4d9c0a11",
                "resourceVersion": "918273",
                "creationTimestamp": "2026-11-20T10:15:30Z",
                "labels": {
                  "app.kubernetes.io/name": "hello",
                  "pod-template-hash": "7d9f8b6c5",
                  "thaw.dev/function": "hello",
                  "thaw.dev/revision": "2"
                },
                "annotations": {
                  "thaw.dev/revision": "3",
                  "kubectl.kubernetes.io/restartedAt": "2026-11-20T10:15:00Z"
                },
                "ownerReferences": [
                  {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "hello-7d9f8b6c5",
                   "uid": "5c1d0a7e-1111-4a2b-8c3d-0e9f8a7b6c5d", "controller": true, "blockOwnerDeletion": true}
                ],
                "managedFields": [
                  {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                   "time": "2026-11-20T10:15:30Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}
                ]
              },
              "spec": {
                "volumes": [
                  {"name": "kube-api-access-abcde", "projected": {"sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}], "defaultMode": 420}}
                ],
                "initContainers": [
                  {"name": "fetch", "image": "busybox:1.36", "resources": {"requests": {"memory": "64Mi", "cpu": "10m"}}}
                ],
                "containers": [
                  {
                    "name": "function",
                    "image": "ghcr.io/thaw/hello@sha256:1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                    "volumeMounts": [{"name": "kube-api-access-abcde", "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent"
                  },
                  {"name": "proxy", "image": "ghcr.io/thaw/proxy:0.1", "resources": {"requests": {"memory": "0.25Gi"}}}
                ],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "serviceAccountName": "default",
                "schedulerName": "default-scheduler",
                "tolerations": [
                  {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                ],
                "priority": 0,
                "enableServiceLinks": true,
                "preemptionPolicy": "PreemptLowerPriority"
              },
              "status": {"phase": "Pending", "qosClass": "Burstable"}
            }""";

    /** A pod that is no Thaw function. */
    static final String PLAIN_POD = """
            {
              "metadata": {"name": "nginx-0", "namespace": "default", "uid": "9d8c7b6a-0000-1111-2222-333344445555",
                           "labels": {"app": "nginx"}, "creationTimestamp": "2026-11-20T10:00:00Z"},
              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "resources": {}}],
                       "schedulerName": "default-scheduler"},
              "status": {"phase": "Pending", "qosClass": "BestEffort"}
            }""";

    static String node(String name) {
        return """
                {
                  "metadata": {
                    "name": "%1$s",
                    "uid": "6e5d4c3b-%1$s",
                    "resourceVersion": "812345",
                    "creationTimestamp": "2026-10-01T08:00:00Z",
                    "labels": {
                      "beta.kubernetes.io/arch": "amd64",
                      "kubernetes.io/hostname": "%1$s",
                      "kubernetes.io/os": "linux",
                      "node.kubernetes.io/instance-type": "m6i.2xlarge",
                      "topology.kubernetes.io/zone": "eu-west-1a"
                    },
                    "annotations": {
                      "node.alpha.kubernetes.io/ttl": "0",
                      "volumes.kubernetes.io/controller-managed-attach-detach": "true"
                    }
                  },
                  "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"], "providerID": "aws:///eu-west-1a/i-0abc%1$s"},
                  "status": {
                    "capacity": {"cpu": "8", "ephemeral-storage": "101430960Ki", "hugepages-2Mi": "0", "memory": "32386140Ki", "pods": "110"},
                    "allocatable": {"cpu": "7910m", "ephemeral-storage": "93478772582", "memory": "31235164Ki", "pods": "110"},
                    "conditions": [
                      {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "2026-11-20T10:14:00Z",
                       "lastTransitionTime": "2026-10-01T08:00:00Z", "reason": "KubeletHasSufficientMemory",
                       "message": "kubelet has sufficient memory available"},
                      {"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-20T10:14:00Z",
                       "lastTransitionTime": "2026-10-01T08:01:00Z", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
                    ],
                    "addresses": [{"type": "InternalIP", "address": "10.0.1.17"}, {"type": "Hostname", "address": "%1$s"}],
                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                    "nodeInfo": {"machineID": "ec2a", "systemUUID": "ec2a", "bootID": "b00t", "kernelVersion": "6.8.0-1019-aws",
                                 "osImage": "Ubuntu 24.04.1 LTS", "containerRuntimeVersion": "containerd://1.7.22",
                                 "kubeletVersion": "v1.31.2", "kubeProxyVersion": "v1.31.2", "operatingSystem": "linux",
                                 "architecture": "amd64"},
                    "images": [{"names": ["registry.k8s.io/kube-proxy@sha256:0123", "registry.k8s.io/kube-proxy:v1.31.2"], "sizeBytes": 30211854}]
                  }
                }""".formatted(name);
    }

    /** ExtenderArgs with a full NodeList, as sent to an extender that is not nodeCacheCapable. */
    static String withNodes(String pod, List<String> names) {
        return """
                {"pod": %s,
                 "nodes": {"metadata": {"resourceVersion": ""}, "items": [%s]}}""".formatted(pod,
                names.stream().map(KubeSchedulerPayloads::node).collect(Collectors.joining(",\n")));
    }

    /** ExtenderArgs in the nodeCacheCapable form: names only ({@code nodes} is nil, so omitted). */
    static String withNames(String pod, List<String> names) {
        return """
                {"pod": %s, "nodenames": [%s]}""".formatted(pod,
                names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")));
    }
}
