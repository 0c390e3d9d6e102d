/**
 * The load generator: workloads (Poisson-Zipf, the thesis pattern, Azure traces), the runner that
 * invokes a gateway on schedule, and the per-invocation records it writes.
 */
package dev.thaw.bench.load;
