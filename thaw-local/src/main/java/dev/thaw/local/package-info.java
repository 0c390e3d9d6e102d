/**
 * The local launcher: a gateway and node processes on one host, for {@code thaw up}, the demo and
 * benchmarks; never part of a node's or gateway's runtime.
 */
package dev.thaw.local;
