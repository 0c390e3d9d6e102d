package dev.thaw.http;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A process's TLS files: its own certificate and key when it serves TLS ({@code --tls-cert},
 * {@code --tls-key}), and the CA its clients verify peers against ({@code --tls-ca}).
 */
public record TlsSettings(Optional<Path> certificate, Optional<Path> key, Optional<Path> ca) {
    public static final TlsSettings NONE = new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty());

    public TlsSettings {
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
    }
}
