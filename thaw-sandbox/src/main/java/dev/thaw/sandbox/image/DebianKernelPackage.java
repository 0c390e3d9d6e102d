package dev.thaw.sandbox.image;

import dev.thaw.sandbox.ExternalCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's cloud kernel, fetched with the host's apt: {@code apt-cache depends} names the
 * concrete package behind the meta-package {@value #META_PACKAGE}, {@code apt-get download}
 * fetches it from whatever apt sources the host has (no mirror is named here), and
 * {@code dpkg-deb -x} unpacks it.
 */
final class DebianKernelPackage {

    /** The meta-package that depends on the current cloud kernel. */
    static final String META_PACKAGE = "linux-image-cloud-amd64";

    private static final String PACKAGE_PREFIX = "linux-image-";
    private static final Pattern DEPENDS = Pattern.compile("^\\s*\\|?Depends:\\s*(linux-image-[0-9][^\\s:<>]*)");
    private static final Pattern MODULE_FILE = Pattern.compile("(.+)\\.ko(\\.[a-z0-9]+)?");
    private static final Map<String, String> C_LOCALE = Map.of("LC_ALL", "C", "DEBIAN_FRONTEND", "noninteractive");
    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration NETWORK_TIMEOUT = Duration.ofMinutes(10);

    private DebianKernelPackage() {}

    /**
     * The concrete kernel package, e.g. {@code linux-image-6.1.0-56-cloud-amd64}. If apt knows
     * none, runs {@code apt-get update} once and asks again.
     *
     * @throws IOException if apt still names none, or apt cannot be run
     */
    static String resolve() throws IOException {
        requireTool("apt-cache");
        Optional<String> found = query();
        if (found.isEmpty()) {
            requireTool("apt-get");
            ExternalCommand.runChecked(List.of("apt-get", "update"), null, NETWORK_TIMEOUT, C_LOCALE);
            found = query();
        }
        return found.orElseThrow(() -> new IOException("cannot find Debian's cloud kernel: 'apt-cache depends "
                + META_PACKAGE + "' names no linux-image package, even after 'apt-get update'; the host needs"
                + " a Debian apt source that carries " + META_PACKAGE));
    }

    /** The kernel release of a concrete package, e.g. {@code 6.1.0-56-cloud-amd64}. */
    static String version(String packageName) {
        if (!packageName.startsWith(PACKAGE_PREFIX)) {
            throw new IllegalArgumentException("not a kernel image package: " + packageName);
        }
        return packageName.substring(PACKAGE_PREFIX.length());
    }

    /**
     * Downloads {@code packageName} into the empty directory {@code dir}.
     *
     * @return the downloaded .deb file
     */
    static Path download(String packageName, Path dir) throws IOException {
        requireTool("apt-get");
        ExternalCommand.runChecked(List.of("apt-get", "download", packageName), dir, NETWORK_TIMEOUT, C_LOCALE);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().endsWith(".deb")).toList();
            if (debs.size() != 1) {
                throw new IOException("'apt-get download " + packageName + "' left " + debs.size()
                        + " .deb files in " + dir + ", expected exactly one");
            }
            return debs.getFirst();
        }
    }

    /** Unpacks {@code deb} into {@code dir} (created if missing). */
    static void unpack(Path deb, Path dir) throws IOException {
        requireTool("dpkg-deb");
        Files.createDirectories(dir);
        ExternalCommand.runChecked(List.of("dpkg-deb", "-x", deb.toString(), dir.toString()), null, QUERY_TIMEOUT, C_LOCALE);
    }

    /**
     * The kernel image in an unpacked package: {@code boot/vmlinuz-<version>}.
     *
     * @throws IOException if it is not there
     */
    static Path vmlinuz(Path unpacked, String version) throws IOException {
        Path vmlinuz = unpacked.resolve("boot").resolve("vmlinuz-" + version);
        if (!Files.isRegularFile(vmlinuz)) {
            throw new IOException("the kernel package for " + version + " has no boot/vmlinuz-" + version);
        }
        return vmlinuz;
    }

    /**
     * Finds each module by file name ({@code <name>.ko}) anywhere under
     * {@code lib/modules/<version>/kernel} (or {@code usr/lib/...}), so that moves between kernel
     * versions do not matter.
     *
     * @return the module files, in the order of {@code names}
     * @throws IOException naming the module if one is missing, found twice, or only compressed
     */
    static List<Path> modules(Path unpacked, String version, List<String> names) throws IOException {
        Path root = null;
        for (String lib : List.of("lib", "usr/lib")) {
            Path candidate = unpacked.resolve(lib).resolve("modules").resolve(version).resolve("kernel");
            if (Files.isDirectory(candidate)) {
                root = candidate;
                break;
            }
        }
        if (root == null) {
            throw new IOException("the kernel package for " + version + " has no lib/modules/" + version + "/kernel");
        }
        Map<String, List<Path>> byName = new LinkedHashMap<>();
        names.forEach(name -> byName.put(name, new ArrayList<>()));
        List<String> compressed = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String fileName = file.getFileName().toString();
                Matcher module = MODULE_FILE.matcher(fileName);
                if (!module.matches() || !byName.containsKey(module.group(1))) {
                    continue;
                }
                if (module.group(2) != null) {
                    compressed.add(root.relativize(file).toString());
                } else {
                    byName.get(module.group(1)).add(file);
                }
            }
        }
        List<Path> found = new ArrayList<>();
        for (Map.Entry<String, List<Path>> entry : byName.entrySet()) {
            List<Path> matches = entry.getValue();
            if (matches.isEmpty()) {
                throw new IOException("kernel " + version + " has no module " + entry.getKey() + ".ko under "
                        + root + (compressed.isEmpty() ? "" : "; only compressed modules, which the initramfs"
                        + " cannot load: " + compressed));
            }
            if (matches.size() > 1) {
                throw new IOException("kernel " + version + " has several modules named " + entry.getKey()
                        + ".ko: " + matches.stream().map(root::relativize).toList());
            }
            found.add(matches.getFirst());
        }
        return found;
    }

    private static Optional<String> query() throws IOException {
        ExternalCommand.Result result =
                ExternalCommand.run(List.of("apt-cache", "depends", META_PACKAGE), null, QUERY_TIMEOUT, C_LOCALE);
        if (!result.succeeded()) {
            return Optional.empty(); // "E: No packages found": not known until apt-get update
        }
        return result.stdout().lines()
                .map(DEPENDS::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .findFirst();
    }

    private static void requireTool(String program) throws IOException {
        if (!ExternalCommand.onPath(program)) {
            throw new IOException("'" + program + "' not found: fetching the guest kernel needs Debian's apt and dpkg"
                    + " (a Debian or Ubuntu host)");
        }
    }
}
