package io.ppml.spark.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.format.FileHeader;
import io.ppml.spark.codec.PpmlCodec;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** Shared pieces of the Spark tests: a local session bound to a LocalKms home, file checks, tampering. */
public final class SparkTestSupport {
  private SparkTestSupport() {}

  /** A {@code local[2]} session whose KMS is the LocalKms in {@code home}; {@code extra} adds settings. */
  public static SparkSession localSession(String app, Path home, Map<String, String> extra) {
    SparkSession.Builder builder = SparkSession.builder()
        .master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config(KmsSettings.LOCAL_HOME, home.toString());
    extra.forEach(builder::config);
    return builder.getOrCreate();
  }

  /** The data files Spark wrote under {@code dir} (any depth), without its bookkeeping files. */
  public static List<Path> dataFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("_") && !p.getFileName().toString().startsWith("."))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Every data file under {@code dir} is encrypted ({@code .ppml}) and contains none of {@code plaintexts}. */
  public static void assertEncrypted(Path dir, String... plaintexts) throws IOException {
    List<Path> files = dataFiles(dir);
    assertFalse(files.isEmpty(), "no data files under " + dir);
    for (Path file : files) {
      assertTrue(file.toString().endsWith(PpmlCodec.EXTENSION), "not encrypted: " + file);
      byte[] bytes = Files.readAllBytes(file);
      for (String plaintext : plaintexts) {
        assertFalse(contains(bytes, plaintext.getBytes(StandardCharsets.UTF_8)),
            file + " contains a plaintext value");
      }
    }
  }

  public static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  public static FileHeader header(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return FileHeader.read(in, file.toString());
    }
  }

  /**
   * Flips the lowest bit of the byte at {@code offset}, and removes the Hadoop checksum file beside it, as an
   * attacker on the storage would, so that only the encryption can notice.
   */
  public static void flipBit(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 1);
    }
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
  }

  /** The first throwable of type {@code type} in the cause chain of {@code e}; fails the test if none. */
  public static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    assertNotNull(null, "no " + type.getSimpleName() + " in the cause chain of " + e);
    return null;
  }
}
