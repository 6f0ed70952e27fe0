package io.ppml.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * A progress bar on stderr for commands that stream a file: drawn only when stderr is a terminal and the input
 * is large enough to take a while, so scripts and logs never see it.
 */
final class Progress {
  /** Inputs up to this size finish too fast to need a progress bar. */
  static final long THRESHOLD = 64L << 20;
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;

  Progress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** A progress bar for the command's stderr if the JVM runs on a terminal ({@link System#console()}). */
  static Progress onTerminal(PrintWriter err) {
    return new Progress(err, System.console() != null);
  }

  /** {@code in} itself, or {@code in} drawing a bar labelled {@code label} as its {@code total} bytes are read. */
  InputStream track(InputStream in, long total, String label) {
    if (!terminal || total <= THRESHOLD) {
      return in;
    }
    return new FilterInputStream(in) {
      private long done;
      private int shown = -1;

      @Override
      public int read() throws IOException {
        int b = super.read();
        advance(b < 0 ? -1 : 1);
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        advance(n);
        return n;
      }

      /** Ends a bar left unfinished by a failure, so the error line starts on a line of its own. */
      @Override
      public void close() throws IOException {
        if (shown >= 0 && shown < 100) {
          shown = 100;
          err.println();
          err.flush();
        }
        super.close();
      }

      private void advance(int n) {
        if (n > 0) {
          done += n;
        }
        int percent = (int) Math.min(100, done * 100 / total);
        if (percent != shown) {
          shown = percent;
          int filled = percent * WIDTH / 100;
          err.printf("\r%s [%s%s] %3d%% %,d/%,d MiB", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
              percent, done >> 20, total >> 20);
          if (percent == 100) {
            err.println();
          }
          err.flush();
        }
      }
    };
  }
}
