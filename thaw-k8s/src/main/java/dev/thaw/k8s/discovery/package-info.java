/**
 * The gateway's discovery of node agents on Kubernetes: it watches the node-agent DaemonSet's pods
 * and registers each running one, instead of nodes registering themselves.
 */
package dev.thaw.k8s.discovery;
