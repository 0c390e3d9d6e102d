package dev.thaw.cli.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a kustomize overlay that takes Thaw's base manifests and points every workload at pushed
 * images, by digest: {@code kubectl apply -k DIR} then runs exactly what was built.
 */
public final class KustomizeOverlay {
    private KustomizeOverlay() {
    }

    /**
     * Writes {@code dir/kustomization.yaml}.
     *
     * @param base the base kustomization's directory ({@code deploy/base})
     * @param pushed for each image kind, the repository and manifest digest it was pushed as
     */
    public static Path write(Path dir, Path base, Map<ImageKind, ImageReference> pushed, Map<ImageKind, String> digests)
            throws IOException {
        if (!Files.isRegularFile(base.resolve("kustomization.yaml"))) {
            throw new IOException(base + " holds no kustomization.yaml; pass --deploy-base with Thaw's deploy/base");
        }
        Files.createDirectories(dir);
        String relative = dir.toAbsolutePath().normalize().relativize(base.toAbsolutePath().normalize()).toString();
        StringBuilder yaml = new StringBuilder()
                .append("# Thaw with the images 'thaw package image' pushed, pinned by digest.\n")
                .append("apiVersion: kustomize.config.k8s.io/v1beta1\n")
                .append("kind: Kustomization\n")
                .append("resources:\n")
                .append("  - ").append(relative.isEmpty() ? "." : relative).append('\n')
                .append("images:\n");
        for (ImageKind kind : ImageKind.values()) {
            if (pushed.containsKey(kind)) {
                yaml.append("  - name: ").append(kind.imageName()).append('\n')
                        .append("    newName: ").append(pushed.get(kind).repository()).append('\n')
                        .append("    digest: ").append(digests.get(kind)).append('\n');
            }
        }
        Path file = dir.resolve("kustomization.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
