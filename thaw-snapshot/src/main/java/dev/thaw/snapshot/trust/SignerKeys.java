package dev.thaw.snapshot.trust;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Ed25519 public keys as text (base64 of the X.509 encoding), parsed strictly. */
public final class SignerKeys {
    /** Far above the 44 bytes of an encoded Ed25519 key, far below anything harmful. */
    public static final int MAX_TEXT_LENGTH = 256;

    private SignerKeys() {
    }

    public static String encode(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /**
     * Parses a public key in the form {@link #encode} writes.
     *
     * @throws IllegalArgumentException if it is not an Ed25519 public key
     */
    public static PublicKey parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("a signing key must be base64 text of at most " + MAX_TEXT_LENGTH
                    + " characters, got " + (text == null ? "none" : text.length() + " characters"));
        }
        try {
            PublicKey key = KeyFactory.getInstance(NodeKey.ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text)));
            if (!NodeKey.ALGORITHM.equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException("not an Ed25519 key: " + key.getAlgorithm());
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a base64 X.509 Ed25519 public key: " + e.getMessage(), e);
        }
    }
}
