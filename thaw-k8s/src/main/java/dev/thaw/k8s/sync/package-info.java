/**
 * The node agent on Kubernetes: its options and the sync that keeps the node's NodeSnapshotCache
 * object up to date.
 */
package dev.thaw.k8s.sync;
