/**
 * The kube-scheduler extender process: its options, HTTP server, and the informer-backed cache view
 * it scores with.
 */
package dev.thaw.k8s.extender;
