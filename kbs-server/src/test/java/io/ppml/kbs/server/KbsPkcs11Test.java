package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root key in a SoftHSM2 token through SunPKCS11, and the file root key. The token lives in the
 * directory named by {@code SOFTHSM2_CONF} (set for the test JVM by the pom); it is recreated here.
 */
class KbsPkcs11Test {
  static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String PIN = "4711-kbs";
  @TempDir Path dir;

  @BeforeAll
  static void freshToken() throws Exception {
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      fail("SOFTHSM2_CONF is not set for this JVM; run the tests through Maven (kbs-server/pom.xml sets it)");
    }
    if (!Files.isRegularFile(LIBRARY) || !Files.isExecutable(Path.of("/usr/bin/softhsm2-util"))) {
      fail("SoftHSM2 is not installed (" + LIBRARY + "); scripts/test installs it (apt-get install softhsm2)");
    }
    Path confFile = Path.of(conf);
    Path tokens = confFile.getParent().resolve("tokens");
    if (Files.exists(tokens)) {
      try (Stream<Path> all = Files.walk(tokens)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(tokens);
    Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    Process p = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "ppml-kbs-test",
        "--so-pin", "so-" + PIN, "--pin", PIN).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  @Test
  void rootKeyInSoftHsmWrapsTheStoreAndSurvivesRestart() throws Exception {
    Path pinFile = dir.resolve("pin");
    Files.writeString(pinFile, PIN);
    Path state = dir.resolve("state");
    KbsConfig.Pkcs11 hsm = new KbsConfig.Pkcs11(LIBRARY, 0, null, pinFile, "ppml-kbs-root");
    DataKey dk;
    try (KbsFixture kbs = KbsFixture.start(state, Clock.systemUTC(), b -> b.pkcs11RootKey(hsm));
         KbsClient admin = kbs.adminClient();
         KbsClient client = kbs.workload()) {
      admin.createKey("hsm-key");
      dk = client.generateDataKey("hsm-key");
    }
    assertFalse(Files.exists(state.resolve("keys/root.key")), "no root key file with a PKCS#11 root");
    try (KbsFixture kbs = KbsFixture.start(state, Clock.systemUTC(), b -> b.pkcs11RootKey(hsm));
         KbsClient client = kbs.workload();
         SecretBytes again = client.unwrap(dk.wrapped())) {
      assertTrue(again.sameAs(dk.plaintext()));
    }
    dk.close();
  }

  @Test
  void tokenKeyIsNonExtractableAndAuthenticatesItsAssociatedData() throws Exception {
    Pkcs11RootKey root = Pkcs11RootKey.open(LIBRARY, 0, PIN.toCharArray(), "ppml-kbs-unit", new SecureRandom());
    byte[] sealed = root.wrap(new byte[32], "aad-1".getBytes());
    assertEquals(32, root.unwrap(sealed, "aad-1".getBytes()).length);
    assertThrows(AEADBadTagException.class, () -> root.unwrap(sealed, "aad-2".getBytes()));
    sealed[20] ^= 1;
    assertThrows(AEADBadTagException.class, () -> root.unwrap(sealed, "aad-1".getBytes()));
    assertNotNull(root.describe());
  }

  @Test
  void fileRootKeyIsOwnerOnly() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir);
         KbsClient admin = kbs.adminClient()) {
      admin.createKey("file-key");
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve("keys/root.key"))));
    }
  }
}
