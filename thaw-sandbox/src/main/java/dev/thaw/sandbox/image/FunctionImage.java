package dev.thaw.sandbox.image;

import dev.thaw.api.FunctionManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a function's guest boots from besides the kernel: the shared base root file system
 * and the function's own layer, overlaid on it inside the guest.
 *
 * @param manifest the function's manifest, as read when the image was built
 * @param sourceDir the function directory the layer was built from (absolute)
 * @param base the base root file system, attached first ({@code /dev/vda})
 * @param layer the function layer's ext4 image, attached second ({@code /dev/vdb}); it holds
 *     {@code /opt/thaw/agent.py}, {@code /opt/thaw/function.json} and {@code /opt/thaw/function/}
 * @param layerDigest lower-case hex SHA-256 of the layer image file
 */
public record FunctionImage(FunctionManifest manifest, Path sourceDir, BaseRootfs base, Path layer, String layerDigest) {

    /** @throws NullPointerException if a component is null */
    public FunctionImage {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(sourceDir, "sourceDir");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(layerDigest, "layerDigest");
    }

    /**
     * The image digest reported to users: lower-case hex SHA-256 over the UTF-8 text of
     * {@code base().digest()} followed by {@code layerDigest()}. Equal digests mean the guest sees
     * byte-identical disks.
     */
    public String digest() {
        return Hashing.sha256Hex(base.digest() + layerDigest);
    }

    /** The disk images in the order they must be attached: base ({@code /dev/vda}), then layer ({@code /dev/vdb}). */
    public List<Path> disks() {
        return List.of(base.image(), layer);
    }
}
