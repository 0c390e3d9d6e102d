/**
 * The evaluation: for each configuration a fresh cluster, the same functions and the same workload,
 * with one CSV of invocation records per configuration.
 */
package dev.thaw.bench.eval;
