package io.ppml.spark.codec;

/** An option of an encrypted write is missing or unusable; names the option as the user writes it. */
public final class InvalidWriteOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String option;

  public InvalidWriteOptionException(String option, String message) {
    super(message);
    this.option = option;
  }

  /** The option's name, e.g. {@code key}. */
  public String option() {
    return option;
  }
}
