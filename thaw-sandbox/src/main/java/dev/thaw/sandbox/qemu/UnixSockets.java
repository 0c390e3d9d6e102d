package dev.thaw.sandbox.qemu;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Connecting to the Unix sockets a starting QEMU creates. */
final class UnixSockets {
    private UnixSockets() {
    }

    /**
     * Connects to {@code path}, retrying until QEMU has created it, the process
     * died, or the deadline passed.
     */
    static SocketChannel connect(Path path, Process owner, long deadlineNanos) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadlineNanos) {
            if (Files.exists(path)) {
                SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(path));
                    return channel;
                } catch (IOException e) {
                    channel.close();
                    last = e;
                }
            }
            if (!owner.isAlive()) {
                throw new IOException("QEMU exited (status " + owner.exitValue() + ") before " + path + " opened");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(0, 200_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + path, e);
            }
        }
        throw new IOException("timed out connecting to " + path, last);
    }
}
