package dev.thaw.cli.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * An OCI image layout directory (image-spec 1.x: {@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/}) that images are written into, one reference name per image. Every JSON
 * document is written with fixed key order and fixed times, so the same layers and config give
 * the same manifest digest.
 */
final class OciLayout {
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String EPOCH = "1970-01-01T00:00:00Z";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A blob written to the layout. */
    record Blob(String digest, long size) {
    }

    /**
     * A layer: its compressed blob, and the digest and size of the tar inside (the diff ID).
     */
    record Layer(String description, Blob blob, String diffId, long tarSize) {
    }

    /** What the image runs: entrypoint, environment, user, working directory and labels. */
    record RunConfig(List<String> entrypoint, List<String> env, String user, String workingDir,
                     Map<String, String> labels) {
    }

    /** An image written to the layout. */
    record Image(String refName, Blob manifest, Blob config, List<Layer> layers) {
        /** The sum of the layers' tar sizes: what the image takes unpacked. */
        long uncompressedBytes() {
            return layers.stream().mapToLong(Layer::tarSize).sum();
        }

        /** The sum of the compressed layer blobs: what a registry stores and a node downloads. */
        long compressedBytes() {
            return layers.stream().mapToLong(l -> l.blob().size()).sum();
        }
    }

    private final Path dir;

    private OciLayout(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if needed) the layout in {@code dir}. */
    static OciLayout open(Path dir) throws IOException {
        Path marker = dir.resolve("oci-layout");
        if (Files.isDirectory(dir) && !Files.exists(marker)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dir + " is neither empty nor an OCI image layout (no oci-layout file);"
                            + " name a new or empty directory");
                }
            }
        }
        Files.createDirectories(dir.resolve("blobs/sha256"));
        if (!Files.exists(marker)) {
            Files.writeString(marker, "{\"imageLayoutVersion\":\"1.0.0\"}");
        }
        if (!Files.exists(dir.resolve("index.json"))) {
            writeIndex(dir, new TreeMap<>());
        }
        return new OciLayout(dir);
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code layer} as a gzip'ed tar blob (gzip's header carries no time or name). */
    Layer writeLayer(LayerBuilder layer) throws IOException {
        MessageDigest tarDigest = sha256();
        MessageDigest blobDigest = sha256();
        Path temp = Files.createTempFile(dir.resolve("blobs"), "layer", ".tmp");
        try {
            long tarSize;
            try (OutputStream file = Files.newOutputStream(temp);
                 GZIPOutputStream gzip = new GZIPOutputStream(new DigestOutputStream(file, blobDigest), 1 << 16)) {
                CountingOutputStream tar = new CountingOutputStream(new DigestOutputStream(gzip, tarDigest));
                layer.writeTar(tar);
                tar.flush();
                tarSize = tar.count();
                gzip.finish();
            }
            Blob blob = publish(temp, blobDigest);
            return new Layer(layer.description(), blob, "sha256:" + hex(tarDigest), tarSize);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Counts the bytes written through it; close does not close the stream below. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        long count() {
            return count;
        }
    }

    /** Writes the config and manifest of an image made of {@code layers} and names it {@code refName}. */
    Image writeImage(String refName, RunConfig run, List<Layer> layers) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("created", EPOCH);
        config.put("architecture", "amd64");
        config.put("os", "linux");
        ObjectNode runtime = config.putObject("config");
        runtime.put("User", run.user());
        run.env().forEach(runtime.putArray("Env")::add);
        run.entrypoint().forEach(runtime.putArray("Entrypoint")::add);
        runtime.put("WorkingDir", run.workingDir());
        ObjectNode labels = runtime.putObject("Labels");
        new TreeMap<>(run.labels()).forEach(labels::put);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        ArrayNode history = config.putArray("history");
        for (Layer layer : layers) {
            diffIds.add(layer.diffId());
            history.addObject().put("created", EPOCH).put("created_by", "thaw package image: " + layer.description());
        }
        Blob configBlob = writeBlob(JSON.writeValueAsBytes(config));

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST_TYPE);
        descriptor(manifest.putObject("config"), CONFIG_TYPE, configBlob);
        ArrayNode layerList = manifest.putArray("layers");
        for (Layer layer : layers) {
            descriptor(layerList.addObject(), LAYER_TYPE, layer.blob());
        }
        Blob manifestBlob = writeBlob(JSON.writeValueAsBytes(manifest));

        TreeMap<String, Blob> refs = readIndex();
        refs.put(refName, manifestBlob);
        writeIndex(dir, refs);
        return new Image(refName, manifestBlob, configBlob, List.copyOf(layers));
    }

    /** The path of a blob in this layout. */
    Path blobPath(String digest) {
        return dir.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private Blob writeBlob(byte[] bytes) throws IOException {
        MessageDigest digest = sha256();
        digest.update(bytes);
        Path temp = Files.createTempFile(dir.resolve("blobs"), "blob", ".tmp");
        try {
            Files.write(temp, bytes);
            return publish(temp, digest);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Blob publish(Path temp, MessageDigest digest) throws IOException {
        String hex = hex(digest);
        long size = Files.size(temp);
        Path target = dir.resolve("blobs/sha256").resolve(hex);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Blob("sha256:" + hex, size);
    }

    private TreeMap<String, Blob> readIndex() throws IOException {
        TreeMap<String, Blob> refs = new TreeMap<>();
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        for (JsonNode entry : index.path("manifests")) {
            String name = entry.path("annotations").path(REF_NAME).asText("");
            if (!name.isEmpty()) {
                refs.put(name, new Blob(entry.path("digest").asText(), entry.path("size").asLong()));
            }
        }
        return refs;
    }

    private static void writeIndex(Path dir, TreeMap<String, Blob> refs) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = index.putArray("manifests");
        refs.forEach((name, blob) -> descriptor(manifests.addObject(), MANIFEST_TYPE, blob)
                .putObject("annotations").put(REF_NAME, name));
        Path temp = Files.createTempFile(dir, "index", ".tmp");
        Files.write(temp, JSON.writeValueAsString(index).getBytes(StandardCharsets.UTF_8));
        Files.move(temp, dir.resolve("index.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static ObjectNode descriptor(ObjectNode node, String mediaType, Blob blob) {
        return node.put("mediaType", mediaType).put("digest", blob.digest()).put("size", blob.size());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
