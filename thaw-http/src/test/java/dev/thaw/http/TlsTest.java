package dev.thaw.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TLS round trip with a certificate made for the test; a client without its CA is refused. */
class TlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, written out as PEM. */
    private static Path[] selfSigned(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "thaw", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(Files.readString(dir.resolve(name + ".log"))).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            keys.load(in, PASSWORD);
        }
        Key key = keys.getKey("thaw", PASSWORD);
        Path cert = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(cert, pem("CERTIFICATE", keys.getCertificate("thaw").getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        return new Path[] {cert, keyFile};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Test
    void aClientWithTheCaTalksAndOneWithoutIsRefused(@TempDir Path dir) throws Exception {
        Path[] server = selfSigned(dir, "gateway");
        Path[] other = selfSigned(dir, "someone-else");
        ServerOptions options = ServerOptions.of("127.0.0.1", 0, 1024)
                .withTls(Optional.of(server[0]), Optional.of(server[1]));
        try (Server https = Server.start(options, new ErrorMapper(), routes -> routes.open("POST", "/echo",
                (request, response) -> Exchange.send(response, 200, "text/plain", Exchange.body(request, 1024, ""))))) {
            assertThat(https.url().getScheme()).isEqualTo("https");
            ClientOptions trusting = ClientOptions.of(Duration.ofSeconds(5)).withTlsCa(Optional.of(server[0]));
            try (Client client = new Client(https.url(), Map.of(), trusting)) {
                Response response = client.send("POST", "echo", Map.of(), "over tls".getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(10));
                assertThat(response.status()).isEqualTo(200);
                assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("over tls");
            }
            for (ClientOptions refused : List.of(ClientOptions.of(Duration.ofSeconds(5)),
                    ClientOptions.of(Duration.ofSeconds(5)).withTlsCa(Optional.of(other[0])))) {
                try (Client client = new Client(https.url(), Map.of(), refused)) {
                    assertThatThrownBy(() -> client.send("POST", "echo", Map.of(), "x".getBytes(StandardCharsets.UTF_8),
                            Duration.ofSeconds(10))).isInstanceOf(IOException.class);
                }
            }
            // plain HTTP on the TLS port is not served either
            try (Client plain = new Client(java.net.URI.create("http://127.0.0.1:" + https.port() + "/"), Map.of(),
                    ClientOptions.of(Duration.ofSeconds(5)))) {
                assertThatThrownBy(() -> plain.send("POST", "echo", Map.of(), null, Duration.ofSeconds(10)))
                        .isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> TlsFiles.client(dir.resolve("nope.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-ca").hasMessageContaining("nope.pem");
    }
}
