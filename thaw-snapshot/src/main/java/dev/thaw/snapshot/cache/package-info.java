/**
 * The node's snapshot and image cache: entries on disk, leases, fills from the remote store, and
 * eviction within a budget.
 */
package dev.thaw.snapshot.cache;
