package io.ppml.cli;

import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whole-file operations on the segmented format, as the commands and the demo run them. Every output is
 * written through {@link AtomicOutput}: it appears complete or not at all.
 */
final class FileEncryption {
  private static final int COPY_BUFFER = 256 * 1024;

  private FileEncryption() {}

  /** Encrypts {@code in} to {@code out} under a new data key wrapped by {@code keyName}; returns the header. */
  static FileHeader encrypt(KeyManagementService kms, String keyName, int segmentSize, Path in, Path out,
      boolean replace, Progress progress) throws IOException {
    checkDistinct(in, out);
    try (InputStream src = progress.track(Files.newInputStream(in), Files.size(in), "encrypting " + in);
        AtomicOutput target = AtomicOutput.create(out, replace, false)) {
      FileHeader header;
      try (SegmentedAeadWriter writer = SegmentedAeadWriter.open(target.stream(), kms, keyName, segmentSize,
          out.toString())) {
        header = writer.header();
        copy(src, writer);
      }
      target.commit();
      return header;
    }
  }

  /**
   * Decrypts {@code in} to {@code out}. The output appears only after the last segment verified; a damaged input
   * throws {@code IntegrityException} naming {@code in} and the segment, and leaves no output.
   */
  static FileHeader decrypt(KeyManagementService kms, Path in, Path out, boolean replace, Progress progress)
      throws IOException {
    checkDistinct(in, out);
    try (SegmentedAeadReader reader = SegmentedAeadReader.open(
            progress.track(Files.newInputStream(in), Files.size(in), "decrypting " + in), kms, in.toString());
        AtomicOutput target = AtomicOutput.create(out, replace, true)) {
      copy(reader, target.stream());
      target.commit();
      return reader.header();
    }
  }

  /** What {@link #rewrap} did to one file. */
  record Rewrapped(String keyName, int fromVersion, int toVersion) {
    boolean changed() {
      return fromVersion != toVersion;
    }
  }

  /**
   * Re-wraps the data key of {@code file} under the newest version of its primary key and replaces the header.
   * The body bytes are copied unchanged (the key reference is not part of the segment key derivation); the new
   * file is decrypted in full before it replaces the old one, so a damaged file or a wrong re-wrapping is never
   * committed. A file already at the newest version is left untouched.
   */
  static Rewrapped rewrap(KeyManagementService kms, Path file) throws IOException {
    String name = file.toString();
    checkInput(file);
    try (InputStream in = Files.newInputStream(file)) {
      FileHeader header = FileHeader.read(in, name);
      WrappedKey rewrapped = kms.rewrap(header.wrappedKey());
      Rewrapped result = new Rewrapped(header.keyName(), header.keyVersion(), rewrapped.keyVersion());
      if (!result.changed()) {
        return result;
      }
      try (AtomicOutput target = AtomicOutput.create(file, true, false)) {
        OutputStream out = target.stream();
        out.write(header.withWrappedKey(rewrapped).encoded());
        copy(in, out);
        out.close();
        try (SegmentedAeadReader check = SegmentedAeadReader.open(Files.newInputStream(target.temp()), kms, name)) {
          check.transferTo(OutputStream.nullOutputStream());
        }
        Files.setPosixFilePermissions(target.temp(), Files.getPosixFilePermissions(file));
        target.commit();
      }
      return result;
    }
  }

  /** Fails with a message naming {@code file} unless it is a readable regular file. */
  static void checkInput(Path file) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      String why = Files.exists(file) ? "not a readable file" : "no such file";
      throw new IOException("cannot read " + file + ": " + why);
    }
  }

  private static void checkDistinct(Path in, Path out) throws IOException {
    checkInput(in);
    if (Files.exists(out) && Files.isSameFile(in, out)) {
      throw new IOException("input and output are the same file: " + in);
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[COPY_BUFFER];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
  }
}
