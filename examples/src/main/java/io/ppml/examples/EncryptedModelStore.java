package io.ppml.examples;

import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.KeyManagementService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineModel;

/**
 * Saves and loads MLlib pipeline models so that the model directory holds only files of the segmented
 * format: every file MLlib writes (JSON metadata, Parquet data, {@code _SUCCESS}) becomes
 * {@code <same relative path>.ppml}; Hadoop's {@code .crc} side files are not kept.
 *
 * <p>MLlib can only write through a Hadoop file system, so the plaintext model exists for a short time: saving
 * writes it to a fresh owner-only directory under {@code scratch}, encrypts each file into the target and deletes
 * the directory; loading decrypts into such a directory, loads (MLlib reads model data eagerly) and deletes it.
 * The exposure window is the duration of one save or load, on the driver's file system only; {@code scratch}
 * must therefore be inside the trust domain (the TD's encrypted memory or disk), like Spark's local directory.
 * Only local paths are supported for {@code target} and {@code scratch}.
 */
public final class EncryptedModelStore {
  /** Suffix of every stored file. */
  public static final String SUFFIX = ".ppml";

  private final KeyManagementService kms;
  private final Path scratch;

  public EncryptedModelStore(KeyManagementService kms, Path scratch) {
    this.kms = kms;
    this.scratch = scratch;
  }

  /** Writes {@code model} encrypted under {@code keyName} into {@code target}, which must not exist yet. */
  public void save(PipelineModel model, Path target, String keyName) throws IOException {
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "model directory exists");
    }
    Path plain = privateDirectory("model-save-");
    try {
      Path modelDir = plain.resolve("model");
      model.write().save(modelDir.toUri().toString());
      Files.createDirectories(target);
      for (Path file : files(modelDir)) {
        Path out = target.resolve(modelDir.relativize(file).toString() + SUFFIX);
        Files.createDirectories(out.getParent());
        try (InputStream in = Files.newInputStream(file);
            OutputStream enc = SegmentedAeadWriter.open(Files.newOutputStream(out), kms, keyName,
                SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE, out.toString())) {
          in.transferTo(enc);
        }
      }
    } finally {
      deleteTree(plain);
    }
  }

  /** Decrypts the model in {@code source} (every file must authenticate) and loads it. */
  public PipelineModel load(Path source) throws IOException {
    Path plain = privateDirectory("model-load-");
    try {
      Path modelDir = plain.resolve("model");
      for (Path file : files(source)) {
        String rel = source.relativize(file).toString();
        if (!rel.endsWith(SUFFIX)) {
          throw new IOException("unexpected unencrypted file in model directory: " + file);
        }
        Path out = modelDir.resolve(rel.substring(0, rel.length() - SUFFIX.length()));
        Files.createDirectories(out.getParent());
        try (InputStream dec = SegmentedAeadReader.open(Files.newInputStream(file), kms, file.toString());
            OutputStream o = Files.newOutputStream(out)) {
          dec.transferTo(o);
        }
      }
      return PipelineModel.load(modelDir.toUri().toString());
    } finally {
      deleteTree(plain);
    }
  }

  private Path privateDirectory(String prefix) throws IOException {
    Files.createDirectories(scratch);
    return Files.createTempDirectory(scratch, prefix,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** Regular files under {@code dir}, without Hadoop's {@code .crc} checksum files. */
  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc")).sorted()
          .toList();
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
