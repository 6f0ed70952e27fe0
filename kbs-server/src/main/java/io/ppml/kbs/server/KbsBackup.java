package io.ppml.kbs.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Backup and restore of a broker's state directory. A backup is one JSON document
 * {@code {"format":1, "created": ISO-8601, "files": {"keys/keys.json": base64, ...}}} holding only what is
 * already sealed or public: the primary key store (every version wrapped by the root key), the sealed
 * resources and admin-loaded policies. It never holds the root key: restoring works only with the same root
 * key (the same {@code keys/root.key} file copied separately, or the same PKCS#11 token and key label). Each
 * file is read whole; the store replaces its files by atomic rename, so a backup taken while the broker runs
 * holds one consistent version of each file.
 */
public final class KbsBackup {
  static final List<String> FILES = List.of(KbsStore.KEYS_DIR + "/keys.json", ResourceStore.FILE,
      KbsServer.ATTESTATION_POLICY_OVERRIDE, KbsServer.RESOURCE_POLICY_OVERRIDE);
  private static final ObjectMapper JSON = new ObjectMapper();

  private KbsBackup() {}

  /** Writes a backup of {@code state} to {@code out} (owner-only); returns the number of files saved. */
  public static int backup(Path state, Path out) throws PpmlException {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("format", 1);
    doc.put("created", Instant.now().toString());
    ObjectNode files = doc.putObject("files");
    int n = 0;
    try {
      if (!Files.exists(state.resolve(FILES.get(0)))) {
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "no key store in " + state + " (expected "
            + FILES.get(0) + ")");
      }
      for (String f : FILES) {
        Path p = state.resolve(f);
        if (Files.exists(p)) {
          files.put(f, Base64.getEncoder().encodeToString(Files.readAllBytes(p)));
          n++;
        }
      }
      Files.deleteIfExists(out);
      Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
      return n;
    } catch (IOException e) {
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot write backup " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restores a backup into {@code state}, which must not hold a key store yet. The root key must be put in
   * place separately (see the class comment).
   */
  public static int restore(Path in, Path state) throws PpmlException {
    try {
      JsonNode doc = JSON.readTree(Files.readAllBytes(in));
      if (doc == null || doc.path("format").asInt() != 1 || !doc.path("files").isObject()) {
        throw new KmsException(ErrorCode.MALFORMED_INPUT, in + " is not a KBS backup of format 1");
      }
      if (Files.exists(state.resolve(FILES.get(0)))) {
        throw new KmsException(ErrorCode.KEY_EXISTS, state + " already holds a key store; restore into an empty "
            + "state directory");
      }
      Files.createDirectories(state.resolve(KbsStore.KEYS_DIR),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      int n = 0;
      for (Map.Entry<String, JsonNode> e : doc.path("files").properties()) {
        if (!FILES.contains(e.getKey())) {
          throw new KmsException(ErrorCode.MALFORMED_INPUT, in + " names unexpected file " + e.getKey());
        }
        ResourceStore.writeAtomically(state.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue().asText()));
        n++;
      }
      return n;
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot restore " + in + ": " + e.getMessage(), e);
    }
  }
}
