package io.ppml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  /** An input of {@code length} zero bytes that occupies no memory. */
  private static InputStream zeros(long length) {
    return new InputStream() {
      private long left = length;

      @Override
      public int read() {
        return left-- > 0 ? 0 : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        left -= n;
        return n;
      }
    };
  }

  @Test
  void aLargeInputOnATerminalDrawsABarUpToOneHundredPercent() throws Exception {
    StringWriter err = new StringWriter();
    long size = Progress.THRESHOLD + 1;
    InputStream tracked = new Progress(new PrintWriter(err), true).track(zeros(size), size, "encrypting big.csv");
    assertEquals(size, tracked.transferTo(OutputStream.nullOutputStream()));
    assertTrue(err.toString().contains("encrypting big.csv"));
    assertTrue(err.toString().contains(" 50%"));
    assertTrue(err.toString().trim().endsWith("64/64 MiB"), err.toString());
  }

  @Test
  void aBarCutShortByAFailureEndsItsLine() throws Exception {
    StringWriter err = new StringWriter();
    long size = Progress.THRESHOLD * 2;
    try (InputStream tracked = new Progress(new PrintWriter(err), true).track(zeros(size), size, "decrypting x")) {
      tracked.readNBytes(1 << 20);
    }
    assertTrue(err.toString().endsWith(System.lineSeparator()), err.toString());
    assertTrue(err.toString().contains("  0%"));
  }

  @Test
  void smallInputsAndNonTerminalsGetNoBar() {
    InputStream small = zeros(10);
    assertSame(small, new Progress(new PrintWriter(new StringWriter()), true).track(small, 10, "x"));
    InputStream large = zeros(Progress.THRESHOLD + 1);
    assertSame(large, new Progress(new PrintWriter(new StringWriter()), false).track(large, Progress.THRESHOLD + 1,
        "x"));
  }
}
