package io.ppml.spark.sql;

import io.ppml.core.error.PpmlException;
import io.ppml.spark.sql.ColumnCiphertext.Header;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import scala.runtime.AbstractFunction1;

/**
 * The body of {@code ppml_decrypt}: an encrypted value of either mode in, the plaintext out as binary or as a
 * UTF-8 string, null stays null. The key comes from the name and version in the value's header. A value that
 * does not authenticate raises {@link UncheckedIOException} around an {@code IntegrityException} naming the key;
 * no plaintext of it is returned.
 */
final class ColumnDecrypt extends AbstractFunction1<Object, Object> implements Serializable {
  private static final long serialVersionUID = 1L;
  private final boolean asString;
  private transient ColumnKeys keys;

  ColumnDecrypt(boolean asString) {
    this.asString = asString;
  }

  /** For use outside a Spark task (tests, tools) with given keys. */
  ColumnDecrypt(boolean asString, ColumnKeys keys) {
    this(asString);
    this.keys = keys;
  }

  @Override
  public Object apply(Object value) {
    if (value == null) {
      return null;
    }
    byte[] v = (byte[]) value;
    try {
      Header h = ColumnCiphertext.parseHeader(v);
      byte[] plaintext = ColumnCiphertext.open(v, h, keys().get(h.keyName(), h.keyVersion(), h.mode().purpose).key());
      return asString ? new String(plaintext, StandardCharsets.UTF_8) : plaintext;
    } catch (PpmlException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnDecrypt d && d.asString == asString;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(asString);
  }

  private ColumnKeys keys() throws PpmlException {
    if (keys == null) {
      keys = ColumnKeys.forThisExecutor();
    }
    return keys;
  }
}
