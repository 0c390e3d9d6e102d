package dev.thaw.sandbox.image;

import dev.thaw.api.FunctionManifest;
import dev.thaw.api.FunctionManifests;
import dev.thaw.api.ManifestException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Builds a function's {@link FunctionImage} from its directory: reads {@code thaw.yaml}, ensures
 * the base root file system for its packages ({@link BaseRootfsBuilder}) and builds or reuses its
 * layer (see {@link FunctionLayerBuilder} for the layer's content, cache and reproducibility).
 *
 * <p>Thread-safe.
 */
public final class FunctionImageBuilder {

    private final BaseRootfsBuilder bases;
    private final FunctionLayerBuilder layers = new FunctionLayerBuilder();

    public FunctionImageBuilder() {
        this(new BaseRootfsBuilder());
    }

    public FunctionImageBuilder(BaseRootfsBuilder bases) {
        this.bases = Objects.requireNonNull(bases, "bases");
    }

    /**
     * Builds (or finds in {@code home}) the image for the function in {@code functionDir}.
     *
     * @throws ManifestException if {@code functionDir/thaw.yaml} is missing or invalid, unchanged
     *     from {@link FunctionManifests#read}; nothing is written to {@code home} then
     * @throws IOException if the base or the layer cannot be built (see {@link BaseRootfsBuilder#ensure})
     */
    public FunctionImage build(ThawHome home, Path functionDir) throws ManifestException, IOException {
        FunctionManifest manifest = FunctionManifests.read(functionDir);
        BaseRootfs base = bases.ensure(home, manifest.packages());
        FunctionLayerBuilder.Layer layer = layers.ensure(home, manifest, functionDir);
        return new FunctionImage(manifest, functionDir.toAbsolutePath().normalize(), base, layer.image(), layer.digest());
    }
}
