package dev.thaw.sandbox.image;

import java.io.IOException;
import java.io.InputStream;

/**
 * The guest-side files shipped in the thaw-sandbox jar under {@value #BASE} (packaged from the
 * repository's {@code guest/} directory by the module's pom).
 */
final class GuestResources {

    static final String BASE = "/dev/thaw/guest/";

    /** The guest's PID 1 in the initramfs. */
    static final String INIT = "initramfs/init";

    /** The guest agent, run by init with the function layer mounted. */
    static final String AGENT = "agent/thaw_agent.py";

    private GuestResources() {}

    /**
     * The bytes of {@code BASE + relative}.
     *
     * @throws IOException naming the resource if it is not on the class path
     */
    static byte[] read(String relative) throws IOException {
        String name = BASE + relative;
        try (InputStream in = GuestResources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("guest resource " + name + " is missing from the class path: thaw-sandbox"
                        + " must be built with the repository's guest/ directory as a resource");
            }
            return in.readAllBytes();
        }
    }
}
