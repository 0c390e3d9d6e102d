package dev.thaw.sandbox.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A shared, read-only base root file system: a Debian bookworm {@code minbase} with Python 3 and
 * a function's extra packages, as an ext4 image attached to the guest as {@code /dev/vda}.
 *
 * @param key first 16 hex digits of SHA-256 of {@code "bookworm|minbase|"} followed by
 *     {@code packages} joined with {@code ","}; names the cache entry
 * @param digest lower-case hex SHA-256 of the image file
 * @param image the ext4 image
 * @param packages every package passed to debootstrap's {@code --include}, sorted and distinct
 */
public record BaseRootfs(String key, String digest, Path image, List<String> packages) {

    /** @throws NullPointerException if a component is null */
    public BaseRootfs {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(image, "image");
        packages = List.copyOf(packages);
    }
}
