package io.ppml.core.error;

/**
 * A ciphertext failed authentication. Names the file and, where it applies, the segment; says nothing about
 * why (wrong key, flipped bit, truncation look alike on purpose).
 */
public class IntegrityException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final long segment;

  /** @param segment the segment index, or -1 when the failure is not tied to one segment */
  public IntegrityException(String file, long segment, String what) {
    super(ErrorCode.INTEGRITY_FAILURE, describe(file, segment, what));
    this.file = file;
    this.segment = segment;
  }

  private static String describe(String file, long segment, String what) {
    StringBuilder b = new StringBuilder("integrity check failed");
    if (file != null) {
      b.append(" in ").append(file);
    }
    if (segment >= 0) {
      b.append(" at segment ").append(segment);
    }
    if (what != null && !what.isEmpty()) {
      b.append(": ").append(what);
    }
    return b.toString();
  }

  public String file() {
    return file;
  }

  /** The failing segment index, or -1. */
  public long segment() {
    return segment;
  }
}
