package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.pcs.PckExtensions;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded memo of PCK certificate chains already parsed, owned by one {@link DcapVerifier}: every quote from
 * one platform carries the same chain text, so its three certificates and the leaf's SGX extensions are parsed
 * once and then found by that exact text. This is parsing only, never trust: the verifier still checks the root,
 * every issuer and validity window on every quote (signatures through {@link VerifiedSignatures}). A chain
 * that fails to parse is not remembered.
 */
final class ParsedChains {
  private static final int CAPACITY = 64;
  private final Map<String, Chain> parsed = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Chain> eldest) {
      return size() > CAPACITY;
    }
  };

  /** One parsed chain; its leaf's SGX extensions are read on first use. */
  static final class Chain {
    final List<X509Certificate> certificates;
    private volatile PckExtensions pck;

    private Chain(List<X509Certificate> certificates) {
      this.certificates = certificates;
    }

    /** The SGX extensions of the first certificate (the PCK leaf). */
    PckExtensions pckExtensions() throws AttestationException {
      PckExtensions p = pck;
      if (p == null) {
        p = PckExtensions.of(certificates.get(0));
        pck = p;
      }
      return p;
    }
  }

  /** The chain in {@code pem}, parsed as {@link Pem#certificates} does (failures: {@code CHAIN_INVALID}). */
  Chain of(String pem, String what) throws AttestationException {
    synchronized (parsed) {
      Chain known = parsed.get(pem);
      if (known != null) {
        return known;
      }
    }
    Chain fresh = new Chain(Pem.certificates(pem, what, Reason.CHAIN_INVALID));
    synchronized (parsed) {
      parsed.put(pem, fresh);
    }
    return fresh;
  }
}
