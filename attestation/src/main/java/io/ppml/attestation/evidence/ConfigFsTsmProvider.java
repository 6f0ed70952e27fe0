package io.ppml.attestation.evidence;

import io.ppml.attestation.EvidenceProvider;
import io.ppml.attestation.evidence.EvidenceException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * TDX quotes from the Linux configfs-tsm interface of a TD guest ({@code /sys/kernel/config/tsm/report}).
 *
 * <p>Protocol, one report entry per request: {@code mkdir <root>/<unique name>}; check that {@code provider}
 * reads {@code tdx_guest}; read {@code generation}; write the 64 report-data bytes to {@code inblob}; read
 * {@code outblob} (the kernel generates the quote on this read); re-read {@code generation}, which must be
 * exactly one more than before (otherwise another writer changed {@code inblob} under us and the quote may
 * carry its data, so the attempt is retried); {@code rmdir} the entry, always.
 *
 * <p>EBUSY (quote generation rate-limited or already running) and generation races are retried with
 * exponential backoff, a bounded number of times; then {@link EvidenceException} with {@link Reason#BUSY} or
 * {@link Reason#GENERATION_RACE}.
 */
public final class ConfigFsTsmProvider implements EvidenceProvider {

  public static final Path DEFAULT_ROOT = Path.of("/sys/kernel/config/tsm/report");
  static final String TDX_PROVIDER = "tdx_guest";
  static final int DEFAULT_MAX_ATTEMPTS = 6;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final int REPORT_DATA_BYTES = 64;
  // The reason string java.nio reports for errno EBUSY on Linux.
  private static final String EBUSY = "Device or resource busy";

  private final Path root;
  private final TsmFileSystem fs;
  private final int maxAttempts;
  private final Duration initialBackoff;

  public ConfigFsTsmProvider() {
    this(DEFAULT_ROOT);
  }

  public ConfigFsTsmProvider(Path tsmReportRoot) {
    this(tsmReportRoot, new NioTsmFileSystem(), DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF);
  }

  ConfigFsTsmProvider(Path tsmReportRoot, TsmFileSystem fs, int maxAttempts, Duration initialBackoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.root = tsmReportRoot;
    this.fs = fs;
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
  }

  @Override
  public String teeType() {
    return "tdx";
  }

  @Override
  public boolean simulated() {
    return false;
  }

  @Override
  public byte[] quote(byte[] reportData) throws EvidenceException {
    if (reportData == null || reportData.length != REPORT_DATA_BYTES) {
      throw new IllegalArgumentException("report data must be exactly " + REPORT_DATA_BYTES + " bytes, got "
          + (reportData == null ? "null" : reportData.length));
    }
    Duration backoff = initialBackoff;
    for (int attempt = 1; ; attempt++) {
      try {
        return attempt(reportData);
      } catch (RetryableFailure failure) {
        if (attempt >= maxAttempts) {
          throw new EvidenceException(failure.reason,
              failure.getMessage() + " (gave up after " + attempt + " attempts)", failure.getCause());
        }
      }
      sleep(backoff);
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }
  }

  private byte[] attempt(byte[] reportData) throws EvidenceException, RetryableFailure {
    Path entry = root.resolve("ppml-" + UUID.randomUUID());
    try {
      fs.createEntry(entry);
    } catch (NoSuchFileException e) {
      throw new EvidenceException(Reason.NOT_AVAILABLE,
          root + " does not exist: not a TDX guest, or configfs-tsm is not mounted", e);
    } catch (IOException e) {
      throw ioFailure(entry, e);
    }
    Exception failure = null;
    try {
      return exchange(entry, reportData);
    } catch (EvidenceException | RetryableFailure | RuntimeException e) {
      failure = e;
      throw e;
    } finally {
      remove(entry, failure);
    }
  }

  private byte[] exchange(Path entry, byte[] reportData) throws EvidenceException, RetryableFailure {
    try {
      String provider = text(entry.resolve("provider"));
      if (!TDX_PROVIDER.equals(provider)) {
        throw new EvidenceException(Reason.WRONG_PROVIDER,
            entry + "/provider reads '" + provider + "', expected '" + TDX_PROVIDER + "'", null);
      }
      long expectedGeneration = generation(entry) + 1;
      fs.write(entry.resolve("inblob"), reportData);
      byte[] quote = fs.read(entry.resolve("outblob"));
      long generation = generation(entry);
      if (generation != expectedGeneration) {
        throw new RetryableFailure(Reason.GENERATION_RACE,
            entry + "/generation is " + generation + ", expected " + expectedGeneration
                + ": another writer used the entry", null);
      }
      if (quote.length == 0) {
        throw new EvidenceException(Reason.IO_FAILURE, entry + "/outblob is empty", null);
      }
      return quote;
    } catch (EvidenceException e) {
      throw e;
    } catch (IOException e) {
      throw ioFailure(entry, e);
    }
  }

  /**
   * EBUSY is thrown as retryable; any other I/O failure is returned as final. java.nio reports EBUSY from
   * open/mkdir/rmdir as a FileSystemException whose reason is the errno text, and from read/write on an
   * open file as a plain IOException whose message is that text.
   */
  private static EvidenceException ioFailure(Path entry, IOException e) throws RetryableFailure {
    boolean busy = e instanceof FileSystemException fse ? EBUSY.equals(fse.getReason()) : EBUSY.equals(e.getMessage());
    if (busy) {
      throw new RetryableFailure(Reason.BUSY, entry + ": " + EBUSY, e);
    }
    return new EvidenceException(Reason.IO_FAILURE, "configfs-tsm entry " + entry + ": " + e, e);
  }

  private void remove(Path entry, Exception primary) throws EvidenceException {
    try {
      fs.removeEntry(entry);
    } catch (IOException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      } else {
        throw new EvidenceException(Reason.IO_FAILURE, "could not remove configfs-tsm entry " + entry, e);
      }
    }
  }

  private String text(Path attribute) throws IOException {
    return new String(fs.read(attribute), StandardCharsets.UTF_8).trim();
  }

  private long generation(Path entry) throws IOException {
    String value = text(entry.resolve("generation"));
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new EvidenceException(Reason.IO_FAILURE, entry + "/generation is not a number: '" + value + "'", e);
    }
  }

  private static void sleep(Duration backoff) throws EvidenceException {
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvidenceException(Reason.IO_FAILURE, "interrupted while waiting to retry a quote request", e);
    }
  }

  /** EBUSY or a generation race: worth another attempt with a fresh entry. */
  private static final class RetryableFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    RetryableFailure(Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }
  }
}
