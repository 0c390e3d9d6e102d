package dev.thaw.node.service;

import dev.thaw.sandbox.image.ThawHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which host files a deployment may attach to a guest as disks when it names them by path (a
 * node on the host that built the images, in {@code local} or {@code disabled} mode): only
 * regular files whose real path, links resolved, lies inside this node's own image directories,
 * {@code THAW_HOME/images} and {@code THAW_HOME/bases}. Anything else is refused, so a caller of
 * the node API cannot hand a guest {@code /etc/shadow} or another tenant's files.
 */
final class ImagePaths {
    private final ThawHome home;

    ImagePaths(ThawHome home) {
        this.home = home;
    }

    /**
     * The real paths of {@code paths}, each checked.
     *
     * @throws NodeRequestException 400 {@code image_path_refused}, naming the first path outside
     */
    List<Path> attachable(List<String> paths) throws NodeRequestException {
        List<Path> roots;
        try {
            roots = List.of(home.images().toRealPath(), home.bases().toRealPath());
        } catch (IOException e) {
            throw new NodeRequestException(500, "image_dirs_unusable", "this node's image directories under "
                    + home.root() + " cannot be read: " + e.getMessage());
        }
        List<Path> real = new ArrayList<>(paths.size());
        for (String given : paths) {
            Path resolved;
            try {
                resolved = Path.of(given).toRealPath();
            } catch (IOException | RuntimeException e) {
                throw refused(given, roots, "it cannot be resolved (" + e.getMessage() + ")");
            }
            if (roots.stream().noneMatch(resolved::startsWith) || !Files.isRegularFile(resolved)) {
                throw refused(given, roots, resolved.toString().equals(given) ? "it is not a file inside them"
                        : "it resolves to " + resolved + ", not a file inside them");
            }
            real.add(resolved);
        }
        return real;
    }

    private static NodeRequestException refused(String given, List<Path> roots, String why) {
        return new NodeRequestException(400, "image_path_refused", "image path '" + given + "' is refused: a node"
                + " attaches only files in its own image directories " + roots + ", and " + why);
    }
}
