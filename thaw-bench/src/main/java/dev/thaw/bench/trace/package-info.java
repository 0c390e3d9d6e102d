/**
 * Synthetic traces in the Azure Functions 2019 layout, following the published characterization of
 * that trace.
 */
package dev.thaw.bench.trace;
