package io.ppml.spark.sql;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.secret.SecretBytes;
import io.ppml.spark.sql.ColumnCiphertext.Mode;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import scala.runtime.AbstractFunction1;

/**
 * The body of {@code ppml_encrypt} and {@code ppml_encrypt_det}: string (as UTF-8) or binary in, an encrypted
 * value ({@link ColumnCiphertext}) out, null stays null. Holds only the key name; keys are derived on the
 * executor. Key service failures surface as {@link UncheckedIOException} around the typed
 * {@link PpmlException}.
 */
final class ColumnEncrypt extends AbstractFunction1<Object, byte[]> implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String keyName;
  private final Mode mode;
  private transient ColumnKeys keys;
  private transient SecureRandom random;

  ColumnEncrypt(String keyName, Mode mode) {
    this.keyName = keyName;
    this.mode = mode;
  }

  /** For use outside a Spark task (tests, tools) with given keys. */
  ColumnEncrypt(String keyName, Mode mode, ColumnKeys keys) {
    this(keyName, mode);
    this.keys = keys;
  }

  @Override
  public byte[] apply(Object value) {
    if (value == null) {
      return null;
    }
    byte[] plaintext = value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) value;
    try {
      DerivedKey key = keys().get(keyName, 0, mode.purpose);
      SecretBytes nonceKey = mode == Mode.DETERMINISTIC
          ? keys().get(keyName, key.keyVersion(), ColumnCiphertext.DETERMINISTIC_NONCE_PURPOSE).key()
          : null;
      return ColumnCiphertext.seal(mode, keyName, key.keyVersion(), key.key(), nonceKey, plaintext, random());
    } catch (PpmlException e) {
      throw new UncheckedIOException(e);
    }
  }

  // Equal by key and mode, so Spark sees two ppml_encrypt_det(id, 'k') as the same expression (GROUP BY).
  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnEncrypt e && e.keyName.equals(keyName) && e.mode == mode;
  }

  @Override
  public int hashCode() {
    return keyName.hashCode() * 31 + mode.hashCode();
  }

  private ColumnKeys keys() throws PpmlException {
    if (keys == null) {
      keys = ColumnKeys.forThisExecutor();
    }
    return keys;
  }

  private SecureRandom random() {
    if (random == null) {
      random = new SecureRandom();
    }
    return random;
  }
}
