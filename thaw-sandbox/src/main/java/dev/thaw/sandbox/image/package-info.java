/**
 * Guest images: kernels, base root filesystems and function layers, built once and cached under the
 * Thaw home.
 */
package dev.thaw.sandbox.image;
