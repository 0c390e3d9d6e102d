/**
 * The function model every module shares: manifests, function names, runtimes, machine shapes,
 * snapshot metadata, and the JSON and YAML helpers that read them, plus small file utilities
 * (atomic writes, digests, directory removal).
 */
package dev.thaw.api;
