/**
 * Benchmarks that time Thaw's own parts (sandbox starts, snapshot tiers, the gateway, the scheduler
 * extender) and report percentiles side by side from one run.
 */
package dev.thaw.bench;
