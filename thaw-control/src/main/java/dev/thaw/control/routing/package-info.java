/**
 * Routing invocations to instances: per-revision pools, placement of new instances on nodes,
 * queueing when none is free.
 */
package dev.thaw.control.routing;
