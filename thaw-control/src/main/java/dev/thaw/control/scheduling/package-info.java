/**
 * Choosing a node for a new instance: scheduler policies and the start-cost model they score with.
 */
package dev.thaw.control.scheduling;
