/**
 * Soak runs: sampling a running cluster's processes and metrics over hours and judging their trends
 * (leaks, growth).
 */
package dev.thaw.bench.soak;
