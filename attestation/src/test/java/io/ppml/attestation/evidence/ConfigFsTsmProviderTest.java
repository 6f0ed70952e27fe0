package io.ppml.attestation.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.tdx.TdxQuote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider's configfs-tsm protocol against an emulated kernel: {@link EmulatedTsm} is the real java.nio
 * file system over a temporary directory, extended with what the kernel does behind those files.
 */
class ConfigFsTsmProviderTest {

  private static SimulatedTdx platform;
  @TempDir Path root;
  private EmulatedTsm kernel;

  @BeforeAll
  static void createPlatform() {
    platform = SimulatedTdx.create(Clock.systemUTC());
  }

  @BeforeEach
  void setUp() {
    kernel = new EmulatedTsm();
  }

  private ConfigFsTsmProvider provider(int maxAttempts) {
    return new ConfigFsTsmProvider(root, kernel, maxAttempts, Duration.ofMillis(1));
  }

  private static byte[] reportData() {
    byte[] rd = new byte[64];
    for (int i = 0; i < rd.length; i++) {
      rd[i] = (byte) (i * 3 + 1);
    }
    return rd;
  }

  private List<Path> entriesLeft() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.toList();
    }
  }

  @Test
  void returnsTheQuoteWhoseReportDataIsTheInput() throws Exception {
    byte[] quote = provider(3).quote(reportData());
    assertArrayEquals(reportData(), TdxQuote.parse(quote).body().reportData());
    assertEquals(1, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
    assertFalse(provider(1).simulated());
    assertEquals("tdx", provider(1).teeType());
  }

  @Test
  void rejectsAnotherProviderNamingIt() throws Exception {
    kernel.providerName = "sev_guest";
    EvidenceException e = assertThrows(EvidenceException.class, () -> provider(3).quote(reportData()));
    assertEquals(EvidenceException.Reason.WRONG_PROVIDER, e.reason());
    assertTrue(e.getMessage().contains("sev_guest"));
    assertEquals(1, kernel.entriesCreated, "a wrong provider is not retried");
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void retriesAfterAGenerationRace() throws Exception {
    kernel.racingWrites = 2;
    byte[] quote = provider(3).quote(reportData());
    assertArrayEquals(reportData(), TdxQuote.parse(quote).body().reportData());
    assertEquals(3, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void persistentRaceIsAnError() throws Exception {
    kernel.racingWrites = Integer.MAX_VALUE;
    EvidenceException e = assertThrows(EvidenceException.class, () -> provider(4).quote(reportData()));
    assertEquals(EvidenceException.Reason.GENERATION_RACE, e.reason());
    assertEquals(4, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void retriesWhileBusy() throws Exception {
    kernel.busyReads = 3;
    byte[] quote = provider(5).quote(reportData());
    assertArrayEquals(reportData(), TdxQuote.parse(quote).body().reportData());
    assertEquals(4, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void retriesWhenReadingTheOutblobReportsBusy() throws Exception {
    // EBUSY from read(2) on an open file reaches Java as a plain IOException, not a FileSystemException.
    kernel.busyReads = 2;
    kernel.busyOnRead = true;
    assertArrayEquals(reportData(), TdxQuote.parse(provider(3).quote(reportData())).body().reportData());
    assertEquals(3, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void busyForeverIsAnError() throws Exception {
    kernel.busyReads = Integer.MAX_VALUE;
    EvidenceException e = assertThrows(EvidenceException.class, () -> provider(3).quote(reportData()));
    assertEquals(EvidenceException.Reason.BUSY, e.reason());
    assertEquals(3, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void otherIoFailuresAreNotRetried() throws Exception {
    kernel.outblobFailure = new FileSystemException("outblob", null, "Input/output error");
    EvidenceException e = assertThrows(EvidenceException.class, () -> provider(3).quote(reportData()));
    assertEquals(EvidenceException.Reason.IO_FAILURE, e.reason());
    assertEquals(1, kernel.entriesCreated);
    assertEquals(List.of(), entriesLeft());
  }

  @Test
  void missingConfigfsIsNotAvailable() {
    ConfigFsTsmProvider absent =
        new ConfigFsTsmProvider(root.resolve("no-such-dir"), kernel, 3, Duration.ofMillis(1));
    EvidenceException e = assertThrows(EvidenceException.class, () -> absent.quote(reportData()));
    assertEquals(EvidenceException.Reason.NOT_AVAILABLE, e.reason());
  }

  @Test
  void reportDataMustBe64Bytes() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> provider(3).quote(new byte[63]));
    assertThrows(IllegalArgumentException.class, () -> provider(3).quote(new byte[65]));
    assertThrows(IllegalArgumentException.class, () -> provider(3).quote(null));
    assertEquals(0, kernel.entriesCreated);
  }

  /**
   * The kernel side of configfs-tsm: mkdir populates the entry's attributes; writing inblob bumps
   * generation; reading outblob produces a quote over inblob (here from the simulated platform). Knobs inject
   * EBUSY on outblob (as java.nio reports it from open, or from read), a racing writer that bumps generation,
   * and other read failures.
   */
  private static final class EmulatedTsm extends NioTsmFileSystem {
    String providerName = "tdx_guest";
    int busyReads;
    boolean busyOnRead;
    int racingWrites;
    IOException outblobFailure;
    int entriesCreated;

    @Override
    public void createEntry(Path entry) throws IOException {
      super.createEntry(entry);
      entriesCreated++;
      Files.writeString(entry.resolve("provider"), providerName + "\n");
      Files.writeString(entry.resolve("generation"), "0\n");
      Files.write(entry.resolve("inblob"), new byte[0]);
      Files.write(entry.resolve("outblob"), new byte[0]);
    }

    @Override
    public void write(Path attribute, byte[] data) throws IOException {
      super.write(attribute, data);
      if (attribute.getFileName().toString().equals("inblob")) {
        bumpGeneration(attribute.getParent());
      }
    }

    @Override
    public byte[] read(Path attribute) throws IOException {
      if (attribute.getFileName().toString().equals("outblob")) {
        if (busyReads > 0) {
          busyReads--;
          throw busyOnRead
              ? new IOException("Device or resource busy")
              : new FileSystemException(attribute.toString(), null, "Device or resource busy");
        }
        if (outblobFailure != null) {
          throw outblobFailure;
        }
        byte[] inblob = Files.readAllBytes(attribute.resolveSibling("inblob"));
        if (racingWrites > 0) {
          racingWrites--;
          bumpGeneration(attribute.getParent()); // another process wrote inblob meanwhile
        }
        return platform.quote(Arrays.copyOf(inblob, 64));
      }
      return super.read(attribute);
    }

    @Override
    public void removeEntry(Path entry) throws IOException {
      try (Stream<Path> files = Files.list(entry)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      super.removeEntry(entry);
    }

    private static void bumpGeneration(Path entry) throws IOException {
      Path generation = entry.resolve("generation");
      long g = Long.parseLong(Files.readString(generation, StandardCharsets.UTF_8).trim());
      Files.writeString(generation, (g + 1) + "\n");
    }
  }
}
