package dev.thaw.snapshot.trust;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

/**
 * A node's Ed25519 key pair, with which it signs the snapshots it publishes. Created on the
 * node's first start in its state directory (the private key readable by its owner only) and
 * reused after restarts, so snapshots a node published before a restart stay trusted.
 */
public final class NodeKey {
    /**
     * The key's file in the state directory: two lines, the private key (PKCS#8) and the public
     * key (X.509), each base64.
     */
    public static final String FILE_NAME = "snapshot-signing.key";
    static final String ALGORITHM = "Ed25519";
    private static final int MAX_FILE_BYTES = 4096;

    private final String node;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String publicKeyText;

    private NodeKey(String node, PrivateKey privateKey, PublicKey publicKey) {
        this.node = Objects.requireNonNull(node, "node");
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.publicKeyText = SignerKeys.encode(publicKey);
    }

    /** A fresh key held in memory only (benchmarks, tests, a node with nowhere to keep state). */
    public static NodeKey generate(String node) {
        KeyPair pair = newPair();
        return new NodeKey(node, pair.getPrivate(), pair.getPublic());
    }

    /**
     * The key in {@code dir}/{@value #FILE_NAME}, created (mode 0600, directory 0700) when absent.
     *
     * @throws IOException if it cannot be read or written, or the file does not hold an Ed25519 key
     */
    public static NodeKey loadOrCreate(Path dir, String node) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            Files.createDirectories(dir);
            KeyPair pair = newPair();
            byte[] text = (Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n"
                    + SignerKeys.encode(pair.getPublic()) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Path temp = dir.resolve("." + FILE_NAME + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(temp);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, text, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                // Two processes on one state directory must end with one key: the first link wins.
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException raced) {
                // The other process's key is the one kept.
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is " + Files.size(file) + " bytes, too large for an Ed25519 key;"
                    + " delete it and the node creates a new key");
        }
        try {
            String[] lines = Files.readString(file).strip().split("\n");
            if (lines.length != 2) {
                throw new IllegalArgumentException("expected 2 lines, found " + lines.length);
            }
            byte[] der = Base64.getDecoder().decode(lines[0].strip());
            PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            NodeKey key = new NodeKey(node, privateKey, SignerKeys.parse(lines[1].strip()));
            byte[] probe = "thaw node key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (!TrustedSigners.verifies(key.publicKey, probe, key.sign(probe))) {
                throw new IllegalArgumentException("its public key does not belong to its private key");
            }
            return key;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException(file + " does not hold an Ed25519 key pair (" + e.getMessage()
                    + "); delete it and the node creates a new key", e);
        }
    }

    public String node() {
        return node;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key as nodes exchange it: base64 of its X.509 encoding. */
    public String publicKeyText() {
        return publicKeyText;
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /** Signers that trust this key only. */
    public TrustedSigners alone() {
        return TrustedSigners.of(java.util.Map.of(node, publicKeyText));
    }

    private static KeyPair newPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys: " + e.getMessage(), e);
        }
    }
}
