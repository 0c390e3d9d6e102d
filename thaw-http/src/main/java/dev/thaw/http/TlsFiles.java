package dev.thaw.http;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import java.nio.file.Files;
import java.nio.file.Path;

/** PEM files for TLS: a server's certificate chain and private key, or the CA a client verifies peers against. */
public final class TlsFiles {
    private TlsFiles() {
    }

    /** A server's TLS from a PEM certificate chain and a PEM (PKCS#8) private key. */
    public static Tls server(Path certificate, Path key) {
        readable(certificate, "--tls-cert");
        readable(key, "--tls-key");
        try {
            return Tls.builder()
                    .privateKey(Keys.builder().pem(p -> p.key(Resource.create(key))).build())
                    .privateKeyCertChain(Keys.builder().pem(p -> p.certChain(Resource.create(certificate))).build())
                    .build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot use " + certificate + " and " + key + " for TLS (PEM "
                    + "certificate chain and unencrypted PKCS#8 private key expected): " + e.getMessage(), e);
        }
    }

    /** A client's TLS that trusts exactly the certificates in the PEM file {@code ca}, checking host names. */
    public static Tls client(Path ca) {
        readable(ca, "--tls-ca");
        try {
            return Tls.builder()
                    .trust(Keys.builder().pem(p -> p.certificates(Resource.create(ca))).build())
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot use " + ca + " as a CA (PEM certificates expected): "
                    + e.getMessage(), e);
        }
    }

    private static void readable(Path file, String option) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not a readable file");
        }
    }
}
