/**
 * The sandbox abstraction: drivers that boot, snapshot and restore microVMs, and the host-side
 * helpers they share (processes, files, confinement).
 */
package dev.thaw.sandbox;
