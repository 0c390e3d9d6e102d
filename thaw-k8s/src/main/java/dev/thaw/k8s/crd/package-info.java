/**
 * The NodeSnapshotCache custom resource: which revisions a Kubernetes node has cached.
 */
package dev.thaw.k8s.crd;
