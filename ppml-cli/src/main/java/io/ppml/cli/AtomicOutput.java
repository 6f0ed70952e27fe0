package io.ppml.cli;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * An output file that appears only when complete: bytes go to a hidden temporary file beside the target, which
 * {@link #commit()} forces to disk and renames over the target. Closing without committing deletes the
 * temporary file, so a failed command leaves no output behind.
 */
final class AtomicOutput implements AutoCloseable {
  private static final int BUFFER = 1 << 20;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final OutputStream stream;
  private boolean committed;

  private AtomicOutput(Path target, Path temp, FileChannel channel) {
    this.target = target;
    this.temp = temp;
    this.channel = channel;
    // Closing this stream flushes but keeps the channel open for commit's force.
    this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER) {
      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }

  /**
   * Starts writing {@code target}.
   *
   * @param replace whether an existing target may be replaced
   * @param ownerOnly create the file readable by its owner only (for plaintext)
   */
  static AtomicOutput create(Path target, boolean replace, boolean ownerOnly) throws IOException {
    Path absolute = target.toAbsolutePath();
    if (!replace && Files.exists(absolute)) {
      throw new PpmlException(ErrorCode.INVALID_ARGUMENT,
          "output " + target + " already exists (use --force to replace it)");
    }
    Path temp = absolute.resolveSibling("." + absolute.getFileName() + ".tmp-"
        + HexFormat.of().formatHex(randomBytes()));
    FileAttribute<?>[] attrs = ownerOnly
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try {
      FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), attrs);
      return new AtomicOutput(target, temp, ch);
    } catch (IOException e) {
      throw new IOException("cannot write " + target + ": " + e, e);
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Where to write; closing it does not commit. */
  OutputStream stream() {
    return stream;
  }

  Path temp() {
    return temp;
  }

  /** Forces the bytes to disk and renames the temporary file over the target. */
  void commit() throws IOException {
    stream.flush();
    channel.force(true);
    channel.close();
    Files.move(temp, target.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    committed = true;
    try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }
}
