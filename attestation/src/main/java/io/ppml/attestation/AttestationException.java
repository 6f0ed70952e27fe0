package io.ppml.attestation;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import java.util.Objects;

/**
 * Attestation evidence or collateral was malformed or did not verify. The {@link Reason} is stable and is
 * what tests, policies and the key broker look at; the message names the field or certificate that failed.
 */
public class AttestationException extends PpmlException {
  private static final long serialVersionUID = 1L;

  /** Why verification stopped; each value names one check (see docs/attestation.md for the order). */
  public enum Reason {
    /** The quote bytes do not follow the TDX quote layout (lengths, truncation, wrong type fields). */
    MALFORMED_QUOTE,
    /** A well-formed quote of a version, key type, TEE type or certification data type not supported. */
    UNSUPPORTED_QUOTE,
    /** A certificate chain does not end at the pinned trusted root (or the configured simulated root). */
    UNTRUSTED_ROOT,
    /** A certificate chain is incomplete, mis-ordered, unparsable or has a bad signature or constraints. */
    CHAIN_INVALID,
    /** A certificate is outside its validity window at the verifier's clock. */
    CERTIFICATE_EXPIRED,
    /** A certificate is listed in a CRL. */
    CERTIFICATE_REVOKED,
    /** The QE report is not signed by the PCK leaf key. */
    QE_REPORT_SIGNATURE_INVALID,
    /** QE report data is not SHA-256(attestation key || QE auth data) || 32 zero bytes. */
    QE_REPORT_DATA_MISMATCH,
    /** The quote (header and TD report) is not signed by the attestation key. */
    QUOTE_SIGNATURE_INVALID,
    /** Collateral could not be obtained (a file missing or unreadable, a collateral service unreachable). */
    COLLATERAL_UNAVAILABLE,
    /** TCB info, QE identity, a CRL or an issuer chain could not be parsed. */
    COLLATERAL_MALFORMED,
    /** TCB info or QE identity does not carry a valid signature by its issuer. */
    COLLATERAL_SIGNATURE_INVALID,
    /** TCB info, QE identity or a CRL is outside its issue/next-update window at the verifier's clock. */
    COLLATERAL_EXPIRED,
    /** The collateral is for another platform (FMSPC, PCEID) or of another kind (id, version). */
    COLLATERAL_MISMATCH,
    /** No TCB level of the TCB info (or of the TDX module identity) matches the platform. */
    TCB_LEVEL_NOT_FOUND,
    /** MRSIGNERSEAM / SEAMATTRIBUTES do not match the TDX module identity of the TCB info. */
    TDX_MODULE_MISMATCH,
    /** The QE report does not match the QE identity (MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES, ISVSVN). */
    QE_IDENTITY_MISMATCH,
    /** A CRL is unparsable, has a bad signature or comes from the wrong issuer. */
    CRL_INVALID
  }

  private final Reason reason;

  public AttestationException(Reason reason, String message) {
    super(ErrorCode.ATTESTATION_FAILURE, message);
    this.reason = Objects.requireNonNull(reason);
  }

  public AttestationException(Reason reason, String message, Throwable cause) {
    super(ErrorCode.ATTESTATION_FAILURE, message, cause);
    this.reason = Objects.requireNonNull(reason);
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String getMessage() {
    return reason + ": " + super.getMessage();
  }
}
