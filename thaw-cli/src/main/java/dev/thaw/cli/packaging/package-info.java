/**
 * Packaging Thaw as OCI container images and Kubernetes manifests: layers, image layouts, registry
 * pushes and the manifest checks.
 */
package dev.thaw.cli.packaging;
