/**
 * The node runtime: function deployments, instances started from the cheapest tier (clone, local
 * cache, remote store, boot), snapshot publishing and node statistics.
 */
package dev.thaw.node;
