/**
 * Functions declared as ThawFunction custom resources: the registry gateways read them through
 * (an informer), the controller that builds and serves what they declare and writes their
 * status, and the writer {@code thaw deploy --kubernetes-namespace} uses.
 *
 * <p>A ThawFunction's Kubernetes namespace is its Thaw namespace: object {@code n} in namespace
 * {@code ns} is the function the gateway keys {@code FunctionId(ns, n).key()}. One
 * {@link dev.thaw.k8s.functions.ThawFunctionRegistry} serves one namespace, which it carries as an
 * explicit string, and refuses keys of any other.
 */
package dev.thaw.k8s.functions;
