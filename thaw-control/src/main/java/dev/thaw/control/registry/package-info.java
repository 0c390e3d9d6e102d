/**
 * The durable function registry: records of deployed functions in an object store or in memory,
 * with conflict detection.
 */
package dev.thaw.control.registry;
