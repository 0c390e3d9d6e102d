/**
 * Snapshot storage: object stores (S3, a directory), snapshots as signed manifests of
 * content-addressed chunks, image bundles, and publishing, fetching and collecting them.
 */
package dev.thaw.snapshot.store;
