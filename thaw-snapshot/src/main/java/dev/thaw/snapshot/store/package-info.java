/**
 * Snapshot storage: object stores (S3, a directory), bundles of snapshot files, and publishing and
 * fetching them.
 */
package dev.thaw.snapshot.store;
