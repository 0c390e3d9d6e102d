/**
 * Functions declared as ThawFunction custom resources: the registry gateways read them through
 * (an informer), the controller that builds and serves what they declare and writes their
 * status, and the writer {@code thaw deploy --kubernetes-namespace} uses.
 *
 * <p>A ThawFunction's Kubernetes namespace is its Thaw namespace. The gateway's registry names
 * functions by name alone, so one {@link dev.thaw.k8s.functions.ThawFunctionRegistry} serves one
 * namespace, which it carries as an explicit string; a gateway serving several namespaces opens
 * one per namespace and keys them by it.
 */
package dev.thaw.k8s.functions;
