package io.ppml.core.kms;

import io.ppml.core.internal.Hkdf;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;

/**
 * The embedded key management service: primary keys in {@code <home>/keys.json}, each version wrapped by a
 * root key kept in {@code <home>/root.key}.
 *
 * <p><b>Development default.</b> The root key here is protected only by file permissions (0600 in a 0700
 * directory). Production deployments use the key broker, whose root key lives in an HSM and whose keys are
 * released only to attested workloads.
 *
 * <p>Layout and guarantees (see docs/key-management.md):
 * <ul>
 *   <li>{@code root.key}: 32 random bytes, created on first use owner-only; refused if group or others may
 *       access it.
 *   <li>{@code keys.json}: every version of every primary key as 32 random bytes sealed with AES-256-GCM under
 *       the root key (random 12-byte nonce, associated data = {@value #PRIMARY_LABEL}, name, version), with
 *       creation times and an enabled flag. Updated under a file lock with a durable atomic replace (see
 *       {@link KeyStoreFile}); a create, rotate, disable or enable that returned is on disk, and a process killed at any moment
 *       leaves the previous or the new store, never a broken one.
 *   <li>Wrapped data keys: {@code nonce(12) || ciphertext || tag(16)}, AES-256-GCM under the named version of
 *       the primary key, associated data = {@value #DATA_KEY_LABEL}, u8 name length, name, u32 version.
 *   <li>Derived keys: HKDF-SHA256 of the primary key version, empty salt, info = {@value #DERIVE_LABEL},
 *       u8 purpose length, purpose, u8 name length, name, u32 version; 32 bytes.
 * </ul>
 * Thread-safe, and safe for several processes sharing one home directory.
 */
public final class LocalKms implements KeyManagementService {
  static final String PRIMARY_LABEL = "ppml/local-kms/primary-key/v1";
  static final String DATA_KEY_LABEL = "ppml/kms/data-key/v1";
  static final String DERIVE_LABEL = "ppml/kms/derived-key/v1";
  static final int KEY_BYTES = 32;
  private static final Pattern PURPOSE = Pattern.compile("[\\x21-\\x7e]{1,255}");

  private final Path home;
  private final KeyStoreFile store;
  private final RootKey rootKey;
  private final SecureRandom random;
  private final Clock clock;
  private volatile KeyStoreFile.Snapshot snapshot;
  private volatile boolean closed;

  private LocalKms(Path home, KeyStoreFile store, RootKey rootKey, SecureRandom random, Clock clock) {
    this.home = home;
    this.store = store;
    this.rootKey = rootKey;
    this.random = random;
    this.clock = clock;
  }

  /** Opens the store in {@code home}, creating the directory (0700) and the root key (0600) on first use. */
  public static LocalKms open(Path home) throws PpmlException {
    return open(home, Clock.systemUTC());
  }

  static LocalKms open(Path home, Clock clock) throws PpmlException {
    return open(home, null, clock);
  }

  /**
   * Opens the store in {@code home} with its primary keys wrapped by {@code rootKey} instead of a
   * {@code root.key} file (the key broker's PKCS#11 root key). The store logic, layout and guarantees are the
   * same; the instance takes ownership of {@code rootKey} and closes it.
   */
  public static LocalKms open(Path home, RootKey rootKey) throws PpmlException {
    return open(home, rootKey, Clock.systemUTC());
  }

  private static LocalKms open(Path home, RootKey external, Clock clock) throws PpmlException {
    Path dir;
    try {
      Files.createDirectories(home,
          PosixFilePermissions.asFileAttribute(KeyStoreFile.OWNER_ONLY_DIR));
      dir = home.toRealPath();
    } catch (IOException e) {
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot create key store directory " + home + ": " + e, e);
    }
    SecureRandom random = new SecureRandom();
    KeyStoreFile store = new KeyStoreFile(dir, random);
    RootKey root = external != null ? external
        : new FileRootKey(RootKeyFile.loadOrCreate(dir, store, random), dir.resolve(RootKeyFile.NAME), random);
    LocalKms kms = new LocalKms(dir, store, root, random, clock);
    kms.contents(true); // a corrupt store fails here, not at first use
    return kms;
  }

  /** The home directory this instance uses. */
  public Path home() {
    return home;
  }

  @Override
  public PrimaryKeyInfo createKey(String name) throws PpmlException {
    KeyNames.check(name);
    KeyStoreFile.Contents after = update(current -> {
      if (current.keys().containsKey(name)) {
        throw new KeyExistsException(name);
      }
      return current.with(name, new StoredKey(true, List.of(newVersion(name, 1))));
    });
    return after.keys().get(name).info(name);
  }

  @Override
  public PrimaryKeyInfo rotateKey(String name) throws PpmlException {
    KeyStoreFile.Contents after = update(current -> {
      StoredKey key = current.keys().get(name);
      if (key == null) {
        throw new UnknownKeyException(name, 0);
      }
      return current.with(name, key.withVersion(newVersion(name, key.newest() + 1)));
    });
    return after.keys().get(name).info(name);
  }

  /**
   * Disables or re-enables primary key {@code name} (an administrative act, not part of the
   * {@link KeyManagementService} contract). While disabled, every operation on any version of the key fails
   * with {@link KeyAccessDeniedException}; nothing else about the key changes. Durable when it returns.
   */
  public PrimaryKeyInfo setEnabled(String name, boolean enabled) throws PpmlException {
    KeyStoreFile.Contents after = update(current -> {
      StoredKey key = current.keys().get(name);
      if (key == null) {
        throw new UnknownKeyException(name, 0);
      }
      return current.with(name, key.withEnabled(enabled));
    });
    return after.keys().get(name).info(name);
  }

  @Override
  public List<PrimaryKeyInfo> listKeys() throws PpmlException {
    List<PrimaryKeyInfo> infos = new ArrayList<>();
    for (Map.Entry<String, StoredKey> e : contents(false).keys().entrySet()) {
      infos.add(e.getValue().info(e.getKey()));
    }
    return infos;
  }

  @Override
  public DataKey generateDataKey(String keyName) throws PpmlException {
    byte[] bytes = new byte[KEY_BYTES];
    random.nextBytes(bytes);
    SecretBytes dek = SecretBytes.wrap(bytes);
    try {
      return new DataKey(dek, wrap(keyName, dek, "generate data key"));
    } catch (PpmlException | RuntimeException e) {
      dek.close();
      throw e;
    }
  }

  @Override
  public WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException {
    return wrap(keyName, key, "wrap");
  }

  private WrappedKey wrap(String keyName, SecretBytes key, String operation) throws PpmlException {
    if (key.length() < 1 || key.length() > WrappedKey.MAX_CIPHERTEXT_BYTES - GcmEnvelope.NONCE_BYTES
        - GcmEnvelope.TAG_BYTES) {
      throw new IllegalArgumentException("key to wrap has " + key.length() + " bytes");
    }
    StoredKey stored = usableKey(keyName, 0, operation);
    int version = stored.newest();
    byte[] plain = key.toByteArray();
    try (SecretBytes primary = primaryKey(keyName, stored, version)) {
      return new WrappedKey(keyName, version,
          GcmEnvelope.seal(primary, plain, binding(DATA_KEY_LABEL, keyName, version), random));
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  @Override
  public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    return unwrap(wrapped, "unwrap");
  }

  private SecretBytes unwrap(WrappedKey wrapped, String operation) throws PpmlException {
    String name = wrapped.keyName();
    int version = wrapped.keyVersion();
    StoredKey stored = usableKey(name, version, operation);
    try (SecretBytes primary = primaryKey(name, stored, version)) {
      return SecretBytes.wrap(GcmEnvelope.open(primary, wrapped.ciphertext(), binding(DATA_KEY_LABEL, name, version)));
    } catch (AEADBadTagException e) {
      throw new IntegrityException(null, -1, "wrapped key for '" + name + "' v" + version + " did not authenticate");
    }
  }

  @Override
  public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    if (version < 0) {
      throw new IllegalArgumentException("key version must be >= 0 (0 = newest), got " + version);
    }
    if (purpose == null || !PURPOSE.matcher(purpose).matches()) {
      throw new IllegalArgumentException("purpose must be 1-255 printable ASCII characters without spaces");
    }
    StoredKey stored = usableKey(keyName, version, "derive key");
    int v = version == 0 ? stored.newest() : version;
    byte[] p = purpose.getBytes(StandardCharsets.US_ASCII);
    byte[] nameAndVersion = binding("", keyName, v);
    byte[] label = DERIVE_LABEL.getBytes(StandardCharsets.US_ASCII);
    byte[] info = ByteBuffer.allocate(label.length + 1 + p.length + nameAndVersion.length)
        .put(label).put((byte) p.length).put(p).put(nameAndVersion).array();
    try (SecretBytes primary = primaryKey(keyName, stored, v)) {
      byte[] ikm = primary.toByteArray();
      try {
        return new DerivedKey(keyName, v, purpose, SecretBytes.wrap(Hkdf.sha256(ikm, new byte[0], info, KEY_BYTES)));
      } finally {
        Arrays.fill(ikm, (byte) 0);
      }
    }
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped) throws PpmlException {
    try (SecretBytes key = unwrap(wrapped, "rewrap")) {
      return wrap(wrapped.keyName(), key, "rewrap");
    }
  }

  /** Wipes the root key held in memory; the instance is unusable afterwards. */
  @Override
  public void close() {
    closed = true;
    rootKey.close();
  }

  @Override
  public String toString() {
    return "LocalKms[" + home + "]";
  }

  private KeyStoreFile.Contents update(KeyStoreFile.Change change) throws PpmlException {
    checkOpen();
    try {
      return store.update(change);
    } finally {
      snapshot = null; // re-read with a fresh stamp on next use
    }
  }

  private StoredKey.Version newVersion(String name, int version) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    try {
      byte[] sealed = rootKey.wrap(key, binding(PRIMARY_LABEL, name, version));
      return new StoredKey.Version(version, clock.instant().toString(), Base64.getEncoder().encodeToString(sealed));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The key {@code name} having {@code version} (0: any), re-reading the store once if this view lacks it. */
  private StoredKey usableKey(String name, int version, String operation) throws PpmlException {
    StoredKey key = contents(false).keys().get(name);
    if (key == null || (version > 0 && !key.hasVersion(version))) {
      key = contents(true).keys().get(name);
    }
    if (key == null) {
      throw new UnknownKeyException(name, 0);
    }
    if (version > 0 && !key.hasVersion(version)) {
      throw new UnknownKeyException(name, version);
    }
    if (!key.enabled()) {
      throw new KeyAccessDeniedException(name, operation, "key is disabled");
    }
    return key;
  }

  private SecretBytes primaryKey(String name, StoredKey key, int version) throws KmsException {
    try {
      return SecretBytes.wrap(rootKey.unwrap(key.version(version).materialBytes(),
          binding(PRIMARY_LABEL, name, version)));
    } catch (AEADBadTagException e) {
      throw store.corrupt("primary key '" + name + "' v" + version + " does not authenticate under the root key "
          + rootKey.describe() + " (wrong root key or altered store)", null);
    }
  }

  /** The current contents: the cached view if {@code keys.json} is unchanged, else a fresh read. */
  private KeyStoreFile.Contents contents(boolean forceRead) throws PpmlException {
    checkOpen();
    KeyStoreFile.Snapshot s = snapshot;
    if (forceRead || s == null || !s.stamp().equals(store.stamp())) {
      s = store.read();
      snapshot = s;
    }
    return s.contents();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
  }

  /** {@code label || u8 nameLength || name || u32 version}: what a wrapped or derived key is bound to. */
  static byte[] binding(String label, String name, int version) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(l.length + 1 + n.length + 4)
        .put(l).put((byte) n.length).put(n).putInt(version).array();
  }
}
