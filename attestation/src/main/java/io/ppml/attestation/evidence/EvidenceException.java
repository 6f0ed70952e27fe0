package io.ppml.attestation.evidence;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import java.util.Objects;

/**
 * Evidence could not be produced on this machine. The {@link Reason} is stable (tests and callers look at
 * it); the message names the configfs path or provider involved.
 */
public final class EvidenceException extends PpmlException {
  private static final long serialVersionUID = 1L;

  /** Why no quote was produced. */
  public enum Reason {
    /** The configfs-tsm report directory is missing: not a TD guest, or configfs is not mounted. */
    NOT_AVAILABLE,
    /** The report entry is served by another TSM provider than {@code tdx_guest} (for example SEV-SNP). */
    WRONG_PROVIDER,
    /** The kernel answered EBUSY on every attempt (quote generation rate-limited or in progress). */
    BUSY,
    /** Another writer changed the report entry between our write and read on every attempt. */
    GENERATION_RACE,
    /** Any other read or write failure of the configfs entry, or an empty or unreadable attribute. */
    IO_FAILURE
  }

  private final Reason reason;

  EvidenceException(Reason reason, String message, Throwable cause) {
    super(ErrorCode.ATTESTATION_FAILURE, message, cause);
    this.reason = Objects.requireNonNull(reason);
  }

  public Reason reason() {
    return reason;
  }
}
