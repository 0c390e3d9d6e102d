/**
 * Deploying functions: building images and snapshots on nodes, the in-memory function registry, and
 * loading it from the durable registry.
 */
package dev.thaw.control.deploy;
