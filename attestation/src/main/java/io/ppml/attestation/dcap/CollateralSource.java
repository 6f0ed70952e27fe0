package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import java.util.Objects;

/**
 * Where {@link DcapVerifier} gets collateral for a quote's platform. The verifier trusts nothing a source
 * returns: it checks every signature, issuer chain, platform match and validity window itself, so a source
 * only has to find the right bytes.
 *
 * <p>Implementations: {@link DirectoryCollateralSource} (files saved from PCS) and {@link #fixed}. A PCS or
 * PCCS fetcher is added by implementing this interface: map {@code fmspcHex} to
 * {@code GET /tdx/certification/v4/tcb?fmspc=…} (body + {@code TCB-Info-Issuer-Chain} header),
 * {@code GET /tdx/certification/v4/qe/identity} (body + {@code SGX-Enclave-Identity-Issuer-Chain}),
 * {@code GET /sgx/certification/v4/pckcrl?ca=processor|platform} (CRL + {@code SGX-PCK-CRL-Issuer-Chain})
 * and the root CRL, URL-decode the header chains and hand the bytes to {@link Collateral#parse}. Its cache
 * belongs to the fetcher instance (closeable, keyed by FMSPC and CA type) and should refresh an entry before
 * the earliest {@code nextUpdate} of its parts, since the verifier rejects expired collateral.
 */
public interface CollateralSource {

  /**
   * Collateral for one platform.
   *
   * @param fmspcHex the PCK certificate's FMSPC, lowercase hex
   * @param pceIdHex the PCK certificate's PCE-ID, lowercase hex
   * @param pckProcessorCa true when the PCK leaf was issued by the PCK Processor CA, false for the Platform CA
   * @throws AttestationException {@link AttestationException.Reason#COLLATERAL_UNAVAILABLE} when it cannot be
   *     obtained, {@code COLLATERAL_MALFORMED} or {@code CRL_INVALID} when it does not parse
   */
  Collateral collateralFor(String fmspcHex, String pceIdHex, boolean pckProcessorCa)
      throws AttestationException;

  /** A source that always returns {@code collateral} (the verifier still checks that it matches). */
  static CollateralSource fixed(Collateral collateral) {
    Objects.requireNonNull(collateral);
    return (fmspc, pceId, processorCa) -> collateral;
  }
}
