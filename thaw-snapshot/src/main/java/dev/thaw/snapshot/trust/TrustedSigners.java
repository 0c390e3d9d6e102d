package dev.thaw.snapshot.trust;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.TreeMap;

/**
 * The keys that may sign one function revision's snapshot, by node name: the nodes the gateway
 * let run (and so snapshot and publish) it, and the verifying node itself.
 */
public final class TrustedSigners {
    private static final TrustedSigners NONE = new TrustedSigners(Map.of());

    /** Node names by public key text. */
    private final Map<String, String> byKey;

    private TrustedSigners(Map<String, String> byKey) {
        this.byKey = byKey;
    }

    public static TrustedSigners none() {
        return NONE;
    }

    /**
     * From node names to public key texts ({@link SignerKeys#encode}); a key that does not parse
     * is left out, so one bad entry cannot make others untrusted.
     */
    public static TrustedSigners of(Map<String, String> keysByNode) {
        Map<String, String> byKey = new TreeMap<>();
        keysByNode.forEach((node, key) -> {
            try {
                byKey.put(SignerKeys.encode(SignerKeys.parse(key)), node);
            } catch (IllegalArgumentException ignored) {
                // an unusable key trusts nothing
            }
        });
        return new TrustedSigners(Map.copyOf(byKey));
    }

    /** These signers and {@code other}'s. */
    public TrustedSigners and(TrustedSigners other) {
        Map<String, String> merged = new TreeMap<>(other.byKey);
        merged.putAll(byKey);
        return new TrustedSigners(Map.copyOf(merged));
    }

    public int size() {
        return byKey.size();
    }

    /**
     * Checks that {@code signature} is valid over {@code message} and made by a trusted key.
     *
     * @param what names the signed object in messages
     * @throws VerificationException if not
     */
    public void check(InfoSignature signature, byte[] message, String what) throws VerificationException {
        PublicKey key;
        try {
            key = SignerKeys.parse(signature.publicKey());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(VerificationException.Reason.BAD_SIGNATURE, what + ": " + e.getMessage());
        }
        if (!verifies(key, message, signature.signatureBytes())) {
            throw new VerificationException(VerificationException.Reason.BAD_SIGNATURE, what
                    + ": the signature does not match its content (changed after it was signed)");
        }
        String node = byKey.get(SignerKeys.encode(key));
        if (node == null) {
            throw new VerificationException(VerificationException.Reason.UNTRUSTED_SIGNER, what + " is signed by a key"
                    + " that may not publish it (it claims to be node '" + signature.signer() + "'; trusted here: "
                    + byKey.values() + ")");
        }
    }

    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(NodeKey.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
