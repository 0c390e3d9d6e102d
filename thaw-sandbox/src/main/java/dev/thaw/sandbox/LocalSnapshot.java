package dev.thaw.sandbox;

import dev.thaw.api.SnapshotFormatException;
import dev.thaw.api.SnapshotInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A snapshot on this host's disk: a directory holding {@code info.json} and the
 * files it lists ({@code mem}, {@code vmstate}).
 */
public record LocalSnapshot(Path dir, SnapshotInfo info) {

    public static final String MEMORY = "mem";
    public static final String DEVICE_STATE = "vmstate";

    public Path memory() {
        return dir.resolve(MEMORY);
    }

    public Path deviceState() {
        return dir.resolve(DEVICE_STATE);
    }

    /**
     * Opens the snapshot at {@code dir}, checking that {@code info.json} is valid
     * and that every file it lists is there with the size it records. Contents are
     * checked against their SHA-256 by whoever fetches a snapshot from elsewhere;
     * reading 100+ MiB on every restore would cost more than the restore.
     */
    public static LocalSnapshot open(Path dir) throws SnapshotFormatException {
        Path infoFile = dir.resolve(SnapshotInfo.FILE_NAME);
        if (!Files.isRegularFile(infoFile)) {
            throw new SnapshotFormatException(infoFile, "no snapshot here: " + SnapshotInfo.FILE_NAME + " is missing");
        }
        SnapshotInfo info = SnapshotInfo.read(infoFile);
        for (String required : new String[] {MEMORY, DEVICE_STATE}) {
            if (!info.files().containsKey(required)) {
                throw new SnapshotFormatException(infoFile, "snapshot lists no '" + required + "' file");
            }
        }
        for (Map.Entry<String, SnapshotInfo.FileEntry> file : info.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            long size;
            try {
                size = Files.size(path);
            } catch (IOException e) {
                throw new SnapshotFormatException(path, "snapshot file '" + file.getKey() + "' is missing", e);
            }
            if (size != file.getValue().size()) {
                throw new SnapshotFormatException(path, "snapshot file '" + file.getKey() + "' has " + size
                        + " bytes, info.json records " + file.getValue().size() + " (truncated or replaced?)");
            }
        }
        return new LocalSnapshot(dir, info);
    }
}
