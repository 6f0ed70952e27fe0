package io.ppml.spark.parquet;

/** A {@code ppml-parquet} option is missing or has a value that cannot be used; names the option. */
public final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String option;

  InvalidOptionException(String option, String message) {
    super(message);
    this.option = option;
  }

  /** The option's name as users write it, e.g. {@code key}. */
  public String option() {
    return option;
  }
}
