package io.ppml.kbs.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Named resources ({@code repository/type/tag}, e.g. a Spark authentication secret) in
 * {@code <state>/resources.json}. Each value is sealed with AES-256-GCM (random 12-byte nonce, associated data
 * = the resource path) under a key derived by the key store from primary key {@value #PRIMARY} for purpose
 * {@value #PURPOSE}, so resources are protected by the same root key as every primary key and a backup holds
 * them only sealed. Replaced atomically (fsynced temporary file, rename, directory fsync).
 */
final class ResourceStore {
  static final String PRIMARY = "kbs-resources";
  static final String PURPOSE = "kbs-resource-v1";
  static final String FILE = "resources.json";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final KeyManagementService kms;
  private final SecureRandom random;
  private final Object writeLock = new Object();

  ResourceStore(Path stateDir, KeyManagementService kms, SecureRandom random) throws PpmlException {
    this.file = stateDir.resolve(FILE);
    this.kms = kms;
    this.random = random;
    try {
      kms.createKey(PRIMARY);
    } catch (KeyExistsException e) {
      // created by an earlier start
    }
    // Opening a primary key proves the configured root key is the one that wrapped the store: with another
    // root key (a restore without it, a wrong token) the broker stops here instead of failing every request.
    kms.deriveKey(PRIMARY, 0, PURPOSE).close();
  }

  static String path(String repository, String type, String tag) {
    for (String s : new String[] {repository, type, tag}) {
      if (s == null || !SEGMENT.matcher(s).matches()) {
        throw new IllegalArgumentException("resource path segments are 1-128 of [A-Za-z0-9._-]");
      }
    }
    return repository + "/" + type + "/" + tag;
  }

  /** The resource's value, or null if absent. */
  byte[] get(String path) throws PpmlException {
    JsonNode entry = read().get(path);
    if (entry == null) {
      return null;
    }
    byte[] sealed = Base64.getDecoder().decode(entry.path("sealed").asText());
    try (DerivedKey k = kms.deriveKey(PRIMARY, entry.path("version").asInt(), PURPOSE)) {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, k.key().toAesKey(), new GCMParameterSpec(128, sealed, 0, 12));
      c.updateAAD(path.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(sealed, 12, sealed.length - 12);
    } catch (GeneralSecurityException e) {
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "resource " + path + " in " + file
          + " does not authenticate");
    }
  }

  void put(String path, byte[] value) throws PpmlException {
    synchronized (writeLock) {
      Map<String, JsonNode> all = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : read().properties()) {
        all.put(e.getKey(), e.getValue());
      }
      try (DerivedKey k = kms.deriveKey(PRIMARY, 0, PURPOSE)) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, k.key().toAesKey(), new GCMParameterSpec(128, nonce));
        c.updateAAD(path.getBytes(StandardCharsets.UTF_8));
        byte[] ct = c.doFinal(value);
        ObjectNode entry = JSON.createObjectNode();
        entry.put("version", k.keyVersion());
        entry.put("sealed", Base64.getEncoder().encodeToString(
            ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array()));
        all.put(path, entry);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM is unavailable", e);
      }
      ObjectNode doc = JSON.createObjectNode();
      doc.put("format", 1);
      ObjectNode res = doc.putObject("resources");
      all.forEach(res::set);
      try {
        writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
      } catch (IOException e) {
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot write " + file + ": " + e, e);
      }
    }
  }

  private JsonNode read() throws PpmlException {
    if (!Files.exists(file)) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode doc = JSON.readTree(Files.readAllBytes(file));
      if (doc == null || doc.path("format").asInt() != 1) {
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE, file + " is not a resource store of format 1");
      }
      return doc.path("resources");
    } catch (IOException e) {
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot read " + file + ": " + e, e);
    }
  }

  /** Durable replace: owner-only temporary file, fsync, atomic rename, directory fsync. */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    try {
      try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
