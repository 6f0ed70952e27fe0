package io.ppml.core.format;

import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.KeyManagementService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Encrypting and decrypting whole byte arrays, and test plaintexts, shared by the format tests. */
final class EncryptedFiles {
  static final String KEY = "format-test";
  static final String FILE = "test.ppml";

  private EncryptedFiles() {}

  static byte[] encrypt(KeyManagementService kms, byte[] plaintext, int segmentSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SegmentedAeadWriter w = SegmentedAeadWriter.open(out, kms, KEY, segmentSize, FILE)) {
      w.write(plaintext);
    }
    return out.toByteArray();
  }

  static byte[] encrypt(DataKey dataKey, byte[] plaintext, int segmentSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SegmentedAeadWriter w = new SegmentedAeadWriter(out, dataKey, segmentSize, FILE)) {
      w.write(plaintext);
    }
    return out.toByteArray();
  }

  static byte[] decrypt(KeyManagementService kms, byte[] file) throws IOException {
    try (InputStream in = SegmentedAeadReader.open(new ByteArrayInputStream(file), kms, FILE)) {
      return in.readAllBytes();
    }
  }

  static FileHeader header(byte[] file) throws IOException {
    return FileHeader.read(new ByteArrayInputStream(file), FILE);
  }

  /** {@code length} bytes that differ at every position within a segment and between seeds. */
  static byte[] plaintext(int length, long seed) {
    byte[] b = new byte[length];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}
