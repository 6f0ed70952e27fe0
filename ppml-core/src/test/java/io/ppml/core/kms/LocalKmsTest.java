package io.ppml.core.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.secret.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKmsTest {
  @TempDir Path tmp;

  private Path home() {
    return tmp.resolve("home");
  }

  private static byte[] bytes(SecretBytes s) {
    return s.toByteArray();
  }

  @Test
  void createListAndRotate() throws Exception {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    try (LocalKms kms = LocalKms.open(home(), Clock.fixed(t0, ZoneOffset.UTC))) {
      assertTrue(kms.listKeys().isEmpty());
      PrimaryKeyInfo b = kms.createKey("beta");
      kms.createKey("alpha");
      assertEquals(new PrimaryKeyInfo("beta", 1, t0, null, true), b);
      assertEquals(List.of("alpha", "beta"), kms.listKeys().stream().map(PrimaryKeyInfo::name).toList());
    }
    Instant t1 = t0.plusSeconds(3600);
    try (LocalKms kms = LocalKms.open(home(), Clock.fixed(t1, ZoneOffset.UTC))) {
      PrimaryKeyInfo rotated = kms.rotateKey("beta");
      assertEquals(new PrimaryKeyInfo("beta", 2, t0, t1, true), rotated);
      assertEquals(rotated, kms.listKeys().get(1));
      assertEquals(3, kms.rotateKey("beta").currentVersion());
    }
  }

  @Test
  void createRejectsDuplicatesAndBadNames() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      KeyExistsException e = assertThrows(KeyExistsException.class, () -> kms.createKey("k"));
      assertEquals(ErrorCode.KEY_EXISTS, e.code());
      assertThrows(IllegalArgumentException.class, () -> kms.createKey("no spaces"));
      assertThrows(IllegalArgumentException.class, () -> kms.createKey("../escape"));
      assertEquals(1, kms.listKeys().size());
    }
  }

  @Test
  void dataKeysRoundTripAndOldVersionsKeepUnwrappingAfterRotation() throws Exception {
    WrappedKey v1;
    byte[] dek1;
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("customers");
      try (DataKey dk = kms.generateDataKey("customers")) {
        assertEquals(32, dk.plaintext().length());
        assertEquals("customers", dk.wrapped().keyName());
        assertEquals(1, dk.wrapped().keyVersion());
        assertEquals(12 + 32 + 16, dk.wrapped().ciphertext().length);
        v1 = dk.wrapped();
        dek1 = bytes(dk.plaintext());
      }
      try (DataKey other = kms.generateDataKey("customers")) {
        assertFalse(other.plaintext().sameAs(SecretBytes.copyOf(dek1)));
      }
      kms.rotateKey("customers");
      try (DataKey dk2 = kms.generateDataKey("customers")) {
        assertEquals(2, dk2.wrapped().keyVersion());
        assertArrayEquals(bytes(dk2.plaintext()), bytes(kms.unwrap(dk2.wrapped())));
      }
    }
    try (LocalKms reopened = LocalKms.open(home())) {
      assertArrayEquals(dek1, bytes(reopened.unwrap(v1)));
      WrappedKey rewrapped = reopened.rewrap(v1);
      assertEquals(2, rewrapped.keyVersion());
      assertEquals("customers", rewrapped.keyName());
      assertArrayEquals(dek1, bytes(reopened.unwrap(rewrapped)));
    }
  }

  @Test
  void wrapsCallerSuppliedKeys() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("parquet");
      byte[] aes128 = new byte[16];
      new java.security.SecureRandom().nextBytes(aes128);
      WrappedKey w = kms.wrap("parquet", SecretBytes.copyOf(aes128));
      assertArrayEquals(aes128, bytes(kms.unwrap(w)));
      assertThrows(IllegalArgumentException.class, () -> kms.wrap("parquet", SecretBytes.copyOf(new byte[0])));
    }
  }

  @Test
  void unknownKeysAndVersionsAreNamed() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      WrappedKey w = kms.generateDataKey("k").wrapped();
      UnknownKeyException missing = assertThrows(UnknownKeyException.class, () -> kms.generateDataKey("nope"));
      assertEquals(ErrorCode.UNKNOWN_KEY, missing.code());
      assertEquals("nope", missing.keyName());
      assertEquals(0, missing.version());
      assertEquals("nope", assertThrows(UnknownKeyException.class, () -> kms.rotateKey("nope")).keyName());
      UnknownKeyException version = assertThrows(UnknownKeyException.class,
          () -> kms.unwrap(new WrappedKey("k", 3, w.ciphertext())));
      assertEquals("k", version.keyName());
      assertEquals(3, version.version());
      assertEquals(5, assertThrows(UnknownKeyException.class, () -> kms.deriveKey("k", 5, "p")).version());
      assertEquals("gone", assertThrows(UnknownKeyException.class,
          () -> kms.unwrap(new WrappedKey("gone", 1, w.ciphertext()))).keyName());
    }
  }

  @Test
  void tamperedOrRelabelledWrappedKeysDoNotAuthenticate() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("a");
      kms.createKey("b");
      WrappedKey w = kms.generateDataKey("a").wrapped();
      kms.rotateKey("a");
      byte[] ct = w.ciphertext();
      List<WrappedKey> forged = new ArrayList<>();
      for (int i = 0; i < ct.length; i += 7) { // nonce, body and tag positions
        byte[] flipped = ct.clone();
        flipped[i] ^= 0x01;
        forged.add(new WrappedKey("a", 1, flipped));
      }
      forged.add(new WrappedKey("a", 1, java.util.Arrays.copyOf(ct, ct.length - 1)));
      forged.add(new WrappedKey("a", 1, java.util.Arrays.copyOf(ct, 20)));
      forged.add(new WrappedKey("a", 2, ct)); // right key, wrong version
      forged.add(new WrappedKey("b", 1, ct)); // another key
      for (WrappedKey f : forged) {
        IntegrityException e = assertThrows(IntegrityException.class, () -> kms.unwrap(f), f.toString());
        assertEquals(ErrorCode.INTEGRITY_FAILURE, e.code());
        assertEquals(-1, e.segment());
        assertNull(e.file());
        assertThrows(IntegrityException.class, () -> kms.rewrap(f));
      }
      assertEquals(32, kms.unwrap(w).length()); // the original still works
    }
  }

  @Test
  void derivedKeysAreStablePerNameVersionAndPurpose() throws Exception {
    byte[] v1;
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("col");
      kms.createKey("other");
      DerivedKey d = kms.deriveKey("col", 0, "column-det-v1");
      assertEquals(1, d.keyVersion());
      assertEquals(32, d.key().length());
      v1 = bytes(d.key());
      assertArrayEquals(v1, bytes(kms.deriveKey("col", 1, "column-det-v1").key()));
      assertFalse(java.util.Arrays.equals(v1, bytes(kms.deriveKey("col", 1, "column-det-v2").key())));
      assertFalse(java.util.Arrays.equals(v1, bytes(kms.deriveKey("other", 1, "column-det-v1").key())));
      kms.rotateKey("col");
      DerivedKey newest = kms.deriveKey("col", 0, "column-det-v1");
      assertEquals(2, newest.keyVersion());
      assertFalse(java.util.Arrays.equals(v1, bytes(newest.key())));
      assertThrows(IllegalArgumentException.class, () -> kms.deriveKey("col", 1, ""));
      assertThrows(IllegalArgumentException.class, () -> kms.deriveKey("col", 1, "has space"));
      assertThrows(IllegalArgumentException.class, () -> kms.deriveKey("col", -1, "p"));
    }
    try (LocalKms reopened = LocalKms.open(home())) {
      assertArrayEquals(v1, bytes(reopened.deriveKey("col", 1, "column-det-v1").key()));
    }
  }

  @Test
  void disabledKeysAreDeniedButListed() throws Exception {
    WrappedKey w;
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      w = kms.generateDataKey("k").wrapped();
    }
    Path store = home().resolve("keys.json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode doc = (ObjectNode) json.readTree(store.toFile());
    ((ObjectNode) doc.path("keys").path("k")).put("enabled", false);
    json.writeValue(store.toFile(), doc);
    try (LocalKms kms = LocalKms.open(home())) {
      assertFalse(kms.listKeys().get(0).enabled());
      List<PpmlThrowingCall> denied = List.of(() -> kms.unwrap(w), () -> kms.generateDataKey("k"),
          () -> kms.rewrap(w), () -> kms.deriveKey("k", 0, "p"), () -> kms.wrap("k", SecretBytes.copyOf(new byte[16])));
      for (PpmlThrowingCall call : denied) {
        KeyAccessDeniedException e = assertThrows(KeyAccessDeniedException.class, call::run);
        assertEquals(ErrorCode.ACCESS_DENIED, e.code());
        assertEquals("k", e.keyName());
      }
    }
  }

  @Test
  void setEnabledDeniesEveryUseUntilReEnabledAndPersists() throws Exception {
    WrappedKey w;
    byte[] dek;
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      kms.createKey("other");
      DataKey d = kms.generateDataKey("k");
      w = d.wrapped();
      dek = bytes(d.plaintext());
      assertFalse(kms.setEnabled("k", false).enabled());
      assertTrue(kms.listKeys().get(1).enabled(), "other keys are untouched");
      kms.generateDataKey("other").close();
    }
    try (LocalKms kms = LocalKms.open(home())) {
      assertFalse(kms.listKeys().get(0).enabled(), "disabling is durable");
      List<PpmlThrowingCall> denied = List.of(() -> kms.unwrap(w), () -> kms.generateDataKey("k"),
          () -> kms.deriveKey("k", 1, "p"), () -> kms.rewrap(w));
      for (PpmlThrowingCall call : denied) {
        KeyAccessDeniedException e = assertThrows(KeyAccessDeniedException.class, call::run);
        assertEquals("k", e.keyName());
      }
      PrimaryKeyInfo on = kms.setEnabled("k", true);
      assertTrue(on.enabled());
      assertEquals(1, on.currentVersion());
      assertArrayEquals(dek, bytes(kms.unwrap(w)));
      kms.deriveKey("k", 1, "p").close();
      assertEquals("nope", assertThrows(UnknownKeyException.class, () -> kms.setEnabled("nope", false)).keyName());
    }
  }

  interface PpmlThrowingCall {
    void run() throws PpmlException;
  }

  @Test
  void rootKeyIsCreatedOwnerOnlyInAnOwnerOnlyDirectory() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home())));
    Path root = home().resolve("root.key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    assertEquals(32, Files.size(root));
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(home().resolve("keys.json"))));
  }

  @Test
  void refusesARootKeyReadableByOthers() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
    }
    Path root = home().resolve("root.key");
    for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----")) {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(mode));
      KmsException e = assertThrows(KmsException.class, () -> LocalKms.open(home()), mode);
      assertEquals(ErrorCode.KEY_STORE_FAILURE, e.code());
      assertTrue(e.getMessage().contains(root.toRealPath().toString()), e.getMessage());
    }
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r--------"));
    try (LocalKms kms = LocalKms.open(home())) {
      assertEquals(1, kms.listKeys().size());
    }
  }

  @Test
  void aMissingRootKeyIsNotReplacedWhileKeysExist() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
    }
    Path root = home().resolve("root.key");
    Files.delete(root);
    KmsException e = assertThrows(KmsException.class, () -> LocalKms.open(home()));
    assertEquals(ErrorCode.KEY_STORE_FAILURE, e.code());
    assertFalse(Files.exists(root));
  }

  @Test
  void aWrongRootKeyIsAStoreFailureNotAnIntegrityError() throws Exception {
    WrappedKey w;
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      w = kms.generateDataKey("k").wrapped();
    }
    Path root = home().resolve("root.key");
    Files.write(root, new byte[32]);
    try (LocalKms kms = LocalKms.open(home())) {
      KmsException e = assertThrows(KmsException.class, () -> kms.unwrap(w));
      assertEquals(ErrorCode.KEY_STORE_FAILURE, e.code());
    }
    Files.write(root, new byte[31]);
    assertEquals(ErrorCode.KEY_STORE_FAILURE, assertThrows(KmsException.class, () -> LocalKms.open(home())).code());
  }

  @Test
  void aCorruptStoreFailsNamingTheFile() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
    }
    Path store = home().resolve("keys.json");
    String good = Files.readString(store);
    List<String> corruptions = List.of(
        "",
        "not json",
        good.substring(0, good.length() / 2),
        good.replace("\"format\" : 1", "\"format\" : 9"),
        good.replace("\"version\" : 1", "\"version\" : 2"),
        good.replace("\"material\" : \"", "\"material\" : \"!!"),
        good.replace("\"keys\" : {", "\"keys\" : { \"bad name\" : {\"enabled\":true,\"versions\":[]},"));
    for (String c : corruptions) {
      Files.writeString(store, c);
      KmsException e = assertThrows(KmsException.class, () -> LocalKms.open(home()), c);
      assertEquals(ErrorCode.KEY_STORE_FAILURE, e.code());
      assertTrue(e.getMessage().contains(store.toRealPath().toString()), e.getMessage());
    }
    // Material that parses but was altered: found when the key is used.
    String material = new ObjectMapper().readTree(good).path("keys").path("k").path("versions").get(0)
        .path("material").asText();
    byte[] m = Base64.getDecoder().decode(material);
    m[20] ^= 1;
    Files.writeString(store, good.replace(material, Base64.getEncoder().encodeToString(m)));
    try (LocalKms kms = LocalKms.open(home())) {
      KmsException e = assertThrows(KmsException.class, () -> kms.generateDataKey("k"));
      assertEquals(ErrorCode.KEY_STORE_FAILURE, e.code());
    }
  }

  @Test
  void leftoverTemporaryFilesAreIgnoredAndRemoved() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
    }
    Path leftover = home().resolve("keys.json.tmp-0123456789abcdef");
    Files.writeString(leftover, "{ half a store", StandardCharsets.UTF_8);
    Path rootLeftover = home().resolve("root.key.tmp-0123456789abcdef");
    Files.write(rootLeftover, new byte[5]);
    try (LocalKms kms = LocalKms.open(home())) {
      assertEquals(1, kms.listKeys().size());
      kms.createKey("k2");
    }
    assertFalse(Files.exists(leftover));
    assertFalse(Files.exists(rootLeftover));
  }

  @Test
  void threadsAndInstancesInOneJvmLoseNoUpdates() throws Exception {
    int threads = 4;
    int perThread = 12;
    try (LocalKms a = LocalKms.open(home()); LocalKms b = LocalKms.open(home())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          LocalKms kms = t % 2 == 0 ? a : b;
          int id = t;
          done.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              String name = "t" + id + "-" + i;
              kms.createKey(name);
              kms.rotateKey(name);
              WrappedKey w = kms.generateDataKey(name).wrapped();
              assertEquals(2, w.keyVersion());
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(threads * perThread, a.listKeys().size());
      assertEquals(threads * perThread, b.listKeys().size());
      assertTrue(a.listKeys().stream().allMatch(k -> k.currentVersion() == 2));
    }
  }

  @Test
  void anInstanceSeesChangesMadeByAnother() throws Exception {
    try (LocalKms a = LocalKms.open(home()); LocalKms b = LocalKms.open(home())) {
      a.createKey("k");
      WrappedKey w = b.generateDataKey("k").wrapped();
      a.rotateKey("k");
      assertEquals(2, b.generateDataKey("k").wrapped().keyVersion());
      assertEquals(2, b.rewrap(w).keyVersion());
    }
  }

  @Test
  void aClosedInstanceRefusesWork() throws Exception {
    LocalKms kms = LocalKms.open(home());
    kms.createKey("k");
    kms.close();
    assertThrows(IllegalStateException.class, () -> kms.generateDataKey("k"));
    assertThrows(IllegalStateException.class, kms::listKeys);
  }

  @Test
  void keyMaterialNeverAppearsInStringForms() throws Exception {
    try (LocalKms kms = LocalKms.open(home())) {
      kms.createKey("k");
      try (DataKey dk = kms.generateDataKey("k")) {
        String b64 = Base64.getEncoder().encodeToString(dk.plaintext().toByteArray());
        assertFalse(dk.toString().contains(b64));
        assertNotNull(kms.toString());
        assertFalse(Files.readString(home().resolve("keys.json")).contains(b64));
      }
    }
  }
}
