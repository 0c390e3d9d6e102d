/**
 * A discrete-event simulator of a cluster's caches and keep-alive policies, replaying traces to
 * compare them without starting VMs.
 */
package dev.thaw.bench.sim;
