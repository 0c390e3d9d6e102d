package dev.thaw.sandbox.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The host's statically linked busybox, copied into every initramfs as its only program. It must
 * be static because the initramfs holds no shared libraries; Debian's package
 * {@code busybox-static} installs it as {@code /bin/busybox}.
 */
final class StaticBusybox {

    /** Where Debian's busybox-static puts it. */
    static final Path DEFAULT = Path.of("/bin/busybox");

    private static final String INSTALL_HINT = "install the Debian package busybox-static (apt-get install busybox-static)";

    private static final int PT_INTERP = 3;

    private StaticBusybox() {}

    /**
     * Reads {@code path} and checks that it is a 64-bit little-endian ELF executable without a
     * program interpreter (that is, statically linked).
     *
     * @throws IOException with advice to install busybox-static if it is missing, not ELF, or dynamic
     */
    static byte[] read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IOException(path + " not found: the guest initramfs needs a static busybox; " + INSTALL_HINT, e);
        }
        if (!isElf64(bytes)) {
            throw new IOException(path + " is not a 64-bit ELF executable; the guest initramfs needs a static busybox: "
                    + INSTALL_HINT);
        }
        boolean dynamic;
        try {
            dynamic = hasInterpreter(bytes);
        } catch (IOException e) {
            throw new IOException(path + ": " + e.getMessage() + "; " + INSTALL_HINT, e);
        }
        if (dynamic) {
            throw new IOException(path + " is dynamically linked (it has an ELF program interpreter) and cannot run in"
                    + " the guest initramfs, which has no shared libraries; " + INSTALL_HINT
                    + " (it replaces the dynamic busybox)");
        }
        return bytes;
    }

    private static boolean isElf64(byte[] elf) {
        return elf.length >= 64 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F'
                && elf[4] == 2 /* ELFCLASS64 */ && elf[5] == 1 /* little-endian */;
    }

    static boolean hasInterpreter(byte[] elf) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = buffer.getLong(0x20);
        int phentsize = Short.toUnsignedInt(buffer.getShort(0x36));
        int phnum = Short.toUnsignedInt(buffer.getShort(0x38));
        if (phentsize < 4 || phoff < 0 || phoff + (long) phentsize * phnum > elf.length) {
            throw new IOException("malformed ELF program header table (offset " + phoff + ", " + phnum + " entries of " + phentsize + " bytes)");
        }
        for (int i = 0; i < phnum; i++) {
            if (buffer.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP) {
                return true;
            }
        }
        return false;
    }
}
