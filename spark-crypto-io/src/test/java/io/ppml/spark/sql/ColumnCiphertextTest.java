package io.ppml.spark.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.MalformedInputException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.sql.ColumnCiphertext.Mode;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The value format and key handling without Spark, over a real LocalKms. */
class ColumnCiphertextTest {
  @TempDir Path home;

  @Test
  void rotationStartsANewVersionAndOldValuesStillDecrypt() throws Exception {
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("ids");
      byte[] v1 = new ColumnEncrypt("ids", Mode.DETERMINISTIC, new ColumnKeys(kms)).apply("alice");
      kms.rotateKey("ids");
      byte[] v2 = new ColumnEncrypt("ids", Mode.DETERMINISTIC, new ColumnKeys(kms)).apply("alice");

      assertEquals(1, ByteBuffer.wrap(v1, 6, 4).getInt());
      assertEquals(2, ByteBuffer.wrap(v2, 6, 4).getInt());
      assertFalse(Arrays.equals(v1, v2));
      ColumnDecrypt decrypt = new ColumnDecrypt(true, new ColumnKeys(kms));
      assertEquals("alice", decrypt.apply(v1));
      assertEquals("alice", decrypt.apply(v2));
    }
  }

  @Test
  void nullStaysNullAndBinaryRoundTrips() throws Exception {
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("k");
      ColumnEncrypt encrypt = new ColumnEncrypt("k", Mode.RANDOMIZED, new ColumnKeys(kms));
      assertEquals(null, encrypt.apply(null));
      byte[] plain = {0, 1, 2, (byte) 0xFF};
      assertArrayEquals(plain, (byte[]) new ColumnDecrypt(false, new ColumnKeys(kms)).apply(encrypt.apply(plain)));
    }
  }

  @Test
  void malformedValuesAreRejectedWithTypedErrors() throws Exception {
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("k");
      byte[] good = new ColumnEncrypt("k", Mode.RANDOMIZED, new ColumnKeys(kms)).apply("x");
      ColumnDecrypt decrypt = new ColumnDecrypt(false, new ColumnKeys(kms));

      assertEquals(ErrorCode.MALFORMED_INPUT, code(decrypt, Arrays.copyOf(good, 20)));
      byte[] badVersion = good.clone();
      badVersion[0] = 2;
      assertEquals(ErrorCode.MALFORMED_INPUT, code(decrypt, badVersion));
      byte[] badMode = good.clone();
      badMode[1] = 9;
      assertEquals(ErrorCode.MALFORMED_INPUT, code(decrypt, badMode));
      byte[] otherVersion = good.clone();
      otherVersion[7] = 7; // bytes 4-7 are the key version of key "k": now version 7, which does not exist
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> decrypt.apply(otherVersion));
      assertEquals(7, assertInstanceOf(UnknownKeyException.class, e.getCause()).version());
      byte[] flipped = good.clone();
      flipped[good.length - 1] ^= 1;
      assertEquals(ErrorCode.INTEGRITY_FAILURE, code(decrypt, flipped));
      assertInstanceOf(IntegrityException.class,
          assertThrows(UncheckedIOException.class, () -> decrypt.apply(flipped)).getCause());
      assertInstanceOf(MalformedInputException.class,
          assertThrows(UncheckedIOException.class, () -> decrypt.apply(new byte[2])).getCause());
    }
  }

  private static ErrorCode code(ColumnDecrypt decrypt, byte[] value) {
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> decrypt.apply(value));
    return assertInstanceOf(PpmlException.class, e.getCause()).code();
  }
}
