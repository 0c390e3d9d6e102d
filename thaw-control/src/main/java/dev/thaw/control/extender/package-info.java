/**
 * Snapshot-aware scoring for kube-scheduler's extender calls (filter and prioritize) over a view of
 * which node caches which revision.
 */
package dev.thaw.control.extender;
