package dev.thaw.snapshot.trust;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.thaw.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The signature that sits beside a bundle's {@code info.json} in the store, as
 * {@value #FILE_NAME}: who signed, with which key, and the Ed25519 signature of
 * {@link #message(String, byte[])}. The signed bytes are exactly the stored {@code info.json},
 * so nothing is re-serialized before checking.
 *
 * @param signer the node name the signer gave; informational, trust comes from the key
 * @param publicKey base64 X.509 Ed25519 public key
 * @param signature base64 Ed25519 signature
 */
public record InfoSignature(int formatVersion, String algorithm, String signer, String publicKey, String signature) {
    public static final String FILE_NAME = "info.sig";
    public static final int FORMAT_VERSION = 1;
    /** A signature file is a few hundred bytes; anything much larger is refused unread. */
    public static final int MAX_BYTES = 4096;
    private static final String DOMAIN = "thaw signed info v1\n";

    /**
     * The bytes signed for the {@code info.json} stored at {@code key}: the key binds the signature
     * to its place, so a signed object copied elsewhere does not verify there.
     */
    public static byte[] message(String key, byte[] infoJson) {
        byte[] head = (DOMAIN + key + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[head.length + infoJson.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(infoJson, 0, message, head.length, infoJson.length);
        return message;
    }

    /** Signs the {@code info.json} that will be stored at {@code key}. */
    public static InfoSignature sign(NodeKey key, String infoKey, byte[] infoJson) {
        return new InfoSignature(FORMAT_VERSION, NodeKey.ALGORITHM, key.node(), key.publicKeyText(),
                Base64.getEncoder().encodeToString(key.sign(message(infoKey, infoJson))));
    }

    public byte[] toJson() {
        try {
            return (Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a signature: " + e.getOriginalMessage(), e);
        }
    }

    /** @throws VerificationException ({@code bad_signature}) if it is too large, malformed or of another version */
    public static InfoSignature parse(String what, byte[] json) throws VerificationException {
        if (json.length > MAX_BYTES) {
            throw bad(what, "is " + json.length + " bytes, more than " + MAX_BYTES);
        }
        InfoSignature parsed;
        try {
            parsed = Json.mapper().readerFor(InfoSignature.class)
                    .with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .readValue(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(what, "is not a signature: " + e.getOriginalMessage());
        }
        if (parsed == null || parsed.formatVersion() != FORMAT_VERSION || !NodeKey.ALGORITHM.equals(parsed.algorithm())
                || parsed.publicKey() == null || parsed.signature() == null) {
            throw bad(what, "is not an " + NodeKey.ALGORITHM + " signature of format version " + FORMAT_VERSION);
        }
        return parsed;
    }

    byte[] signatureBytes() {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static VerificationException bad(String what, String detail) {
        return new VerificationException(VerificationException.Reason.BAD_SIGNATURE, what + " " + detail);
    }
}
