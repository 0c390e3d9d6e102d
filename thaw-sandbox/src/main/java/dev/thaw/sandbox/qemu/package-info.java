/**
 * The QEMU microvm driver: VMM processes, QMP and the guest channel, run directories, VMM pools and
 * confinement.
 */
package dev.thaw.sandbox.qemu;
