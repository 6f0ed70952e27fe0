package io.ppml.spark.source;

/**
 * A {@code ppml-*} source was pointed at a file that is not encrypted (its name does not end with
 * {@code .ppml}). Such files are refused rather than read as plaintext, so a swapped or planted plaintext file
 * cannot pass as protected data.
 */
public final class UnencryptedInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String file;

  public UnencryptedInputException(String file) {
    super("not an encrypted file (name does not end with .ppml): " + file);
    this.file = file;
  }

  public String file() {
    return file;
  }
}
