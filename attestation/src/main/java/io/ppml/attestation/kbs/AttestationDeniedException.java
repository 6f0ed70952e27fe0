package io.ppml.attestation.kbs;

import io.ppml.core.error.ErrorCode;
import java.util.List;

/**
 * The key broker did not accept this workload's evidence: it did not verify ({@code evidence-invalid}), or
 * the attestation policy rejected it ({@code attestation-denied}; {@link #failedRules()} names the rules,
 * e.g. {@code allowSimulated}, {@code mrtd}).
 */
public final class AttestationDeniedException extends KbsClientException {
  private static final long serialVersionUID = 1L;

  public AttestationDeniedException(String serverError, int status, List<String> failedRules, String message) {
    super(ErrorCode.ATTESTATION_FAILURE, serverError, status, failedRules, message, null);
  }
}
