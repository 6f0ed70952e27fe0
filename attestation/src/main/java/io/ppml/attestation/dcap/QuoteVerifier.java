package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;

/**
 * Decides whether a TDX quote was produced by a genuine, correctly configured platform and returns what it
 * says. No policy: a returned {@link AttestationClaims} means every signature, chain and (when configured)
 * collateral check passed; whether the claims are acceptable is for a policy to decide.
 */
public interface QuoteVerifier {

  /**
   * Verifies a quote.
   *
   * @throws AttestationException with the {@link AttestationException.Reason} of the first check that failed
   */
  AttestationClaims verify(byte[] quote) throws AttestationException;
}
