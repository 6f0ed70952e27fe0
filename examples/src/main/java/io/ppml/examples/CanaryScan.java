package io.ppml.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * Searches every byte of every file under a directory for a marker: in UTF-8, UTF-16LE, UTF-16BE and base64
 * (the part of the encoding that does not depend on the marker's offset, for each of the three offsets mod 3).
 * Reports file names only, never contents.
 */
public final class CanaryScan {
  /** A file that contains the marker, and in which encoding. */
  public record Hit(Path file, String encoding) {}

  /** What was scanned and found. */
  public record Report(long files, long bytes, List<Hit> hits) {}

  private final List<String> names = new ArrayList<>();
  private final List<byte[]> patterns = new ArrayList<>();

  public CanaryScan(String marker) {
    add("utf-8", marker.getBytes(StandardCharsets.UTF_8));
    add("utf-16le", marker.getBytes(StandardCharsets.UTF_16LE));
    add("utf-16be", marker.getBytes(StandardCharsets.UTF_16BE));
    for (int shift = 0; shift < 3; shift++) {
      // Encode the marker preceded by `shift` bytes; keep the characters fully determined by the marker.
      byte[] padded = new byte[shift + marker.length()];
      System.arraycopy(marker.getBytes(StandardCharsets.UTF_8), 0, padded, shift, marker.length());
      String b64 = Base64.getEncoder().withoutPadding().encodeToString(padded);
      int from = (shift * 4 + 2) / 3;
      int to = ((shift + marker.length()) * 4) / 3;
      add("base64", b64.substring(from, to).getBytes(StandardCharsets.US_ASCII));
    }
  }

  private void add(String name, byte[] pattern) {
    names.add(name);
    patterns.add(pattern);
  }

  /** Scans every regular file under {@code root} (files that vanish while scanning are skipped). */
  public Report scan(Path root) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    List<Hit> hits = new ArrayList<>();
    long bytes = 0;
    long scanned = 0;
    for (Path file : files) {
      try {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
          content = in.readAllBytes();
        }
        scanned++;
        bytes += content.length;
        for (int i = 0; i < patterns.size(); i++) {
          if (indexOf(content, patterns.get(i)) >= 0) {
            hits.add(new Hit(file, names.get(i)));
            break;
          }
        }
      } catch (NoSuchFileException e) {
        // Deleted by Spark between listing and reading.
      }
    }
    return new Report(scanned, bytes, List.copyOf(hits));
  }

  static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
