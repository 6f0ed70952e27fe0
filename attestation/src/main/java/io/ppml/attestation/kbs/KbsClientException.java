package io.ppml.attestation.kbs;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import java.util.List;

/**
 * The key broker refused a request or could not be reached. {@link #serverError()} is the broker's stable
 * error code ({@code token-invalid}, {@code rate-limited}, ...; see docs/protocol.md), or one of
 * {@link #UNREACHABLE} and {@link #UNTRUSTED_CERTIFICATE} for failures before an answer arrived.
 * {@link #failedRules()} names the policy rules that denied the request, never their values.
 */
public class KbsClientException extends KmsException {
  private static final long serialVersionUID = 1L;
  /** No answer: connection refused, reset or timed out after every retry. */
  public static final String UNREACHABLE = "kbs-unreachable";
  /** The TLS certificate the server presented does not chain to the configured CA. */
  public static final String UNTRUSTED_CERTIFICATE = "kbs-certificate-untrusted";

  private final String serverError;
  private final int status;
  /** Serialized too (an immutable List.copyOf): Spark ships task failures to the driver this way. */
  private final List<String> failedRules;

  public KbsClientException(ErrorCode code, String serverError, int status, List<String> failedRules,
      String message, Throwable cause) {
    super(code, message, cause);
    this.serverError = serverError;
    this.status = status;
    this.failedRules = List.copyOf(failedRules);
  }

  public String serverError() {
    return serverError;
  }

  /** The HTTP status, or 0 when no answer arrived. */
  public int status() {
    return status;
  }

  public List<String> failedRules() {
    return failedRules;
  }
}
