package io.ppml.core.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The files of a {@link LocalKms} home directory and the protocol that keeps them consistent.
 *
 * <p>Readers take no lock: every change replaces {@code keys.json} by an atomic rename of a complete,
 * fsynced temporary file, so a reader sees one whole version or the next. Writers serialize on an exclusive
 * {@link FileLock} on {@code keys.lock} (other processes) and on a lock shared by this JVM for that directory
 * (other threads and other instances: file locks belong to the whole JVM, and closing any channel on the file
 * may drop them). Inside both locks a writer re-reads the store, applies its change, writes
 * {@code keys.json.tmp-<random>}, forces it, renames it over {@code keys.json}, forces the directory, and
 * only then returns. Leftover temporary files from killed writers are deleted by the next writer.
 */
final class KeyStoreFile {
  static final String STORE = "keys.json";
  static final String LOCK = "keys.lock";
  static final int FORMAT = 1;
  private static final String TEMP_INFIX = ".tmp-";
  static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  /** One lock per home directory for the whole JVM; see the class comment for why it is static. */
  private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The parsed store: primary keys by name. */
  record Contents(SortedMap<String, StoredKey> keys) {
    static final Contents EMPTY = new Contents(new TreeMap<>());

    Contents {
      keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
    }

    Contents with(String name, StoredKey key) {
      TreeMap<String, StoredKey> all = new TreeMap<>(keys);
      all.put(name, key);
      return new Contents(all);
    }
  }

  /** Identity of one version of {@code keys.json}: any change replaces the file, changing at least one part. */
  record Stamp(Object fileKey, FileTime modified, long size) {
    static final Stamp ABSENT = new Stamp(null, null, -1);
  }

  /** Contents read from disk and the stamp of the file they came from, taken before reading. */
  record Snapshot(Contents contents, Stamp stamp) {}

  /** A change to the store, applied to its freshest contents under the locks. */
  interface Change {
    Contents apply(Contents current) throws PpmlException;
  }

  /** Work done under the locks (creating the root key). */
  interface LockedAction<T> {
    T run() throws PpmlException, IOException;
  }

  /** The document layout of {@code keys.json}. */
  record Document(int format, SortedMap<String, StoredKey> keys) {}

  private final Path dir;
  private final Path store;
  private final Path lockFile;
  private final SecureRandom random;

  KeyStoreFile(Path dir, SecureRandom random) {
    this.dir = dir;
    this.store = dir.resolve(STORE);
    this.lockFile = dir.resolve(LOCK);
    this.random = random;
  }

  Path path() {
    return store;
  }

  /** The store's current stamp, without reading it. */
  Stamp stamp() throws PpmlException {
    try {
      BasicFileAttributes a = Files.readAttributes(store, BasicFileAttributes.class);
      return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return Stamp.ABSENT;
    } catch (IOException e) {
      throw failure("cannot read key store " + store, e);
    }
  }

  /** Reads the store without locking; an absent file is an empty store. */
  Snapshot read() throws PpmlException {
    Stamp stamp = stamp();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(store);
    } catch (NoSuchFileException e) {
      return new Snapshot(Contents.EMPTY, Stamp.ABSENT);
    } catch (IOException e) {
      throw failure("cannot read key store " + store, e);
    }
    return new Snapshot(parse(bytes), stamp);
  }

  private Contents parse(byte[] bytes) throws KmsException {
    Document doc;
    try {
      doc = JSON.readValue(bytes, Document.class);
    } catch (JsonProcessingException e) {
      throw corrupt("not a valid key store document (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw corrupt("not a valid key store document", e);
    }
    if (doc == null || doc.format() != FORMAT) {
      throw corrupt("unsupported store format " + (doc == null ? "null" : doc.format()) + ", expected " + FORMAT,
          null);
    }
    SortedMap<String, StoredKey> keys = doc.keys() == null ? new TreeMap<>() : doc.keys();
    for (Map.Entry<String, StoredKey> e : keys.entrySet()) {
      check(e.getKey(), e.getValue());
    }
    return new Contents(keys);
  }

  private void check(String name, StoredKey key) throws KmsException {
    if (!KeyNames.isValid(name) || key == null || key.versions() == null || key.versions().isEmpty()) {
      throw corrupt("entry '" + name + "' is not a valid primary key", null);
    }
    List<StoredKey.Version> versions = key.versions();
    for (int i = 0; i < versions.size(); i++) {
      StoredKey.Version v = versions.get(i);
      try {
        if (v == null || v.version() != i + 1 || Objects.requireNonNull(v.material()).isEmpty()) {
          throw new IllegalArgumentException("bad version entry");
        }
        v.createdAt();
        v.materialBytes();
      } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
        throw corrupt("key '" + name + "' version " + (i + 1) + " is malformed", e);
      }
    }
  }

  /** Applies {@code change} to the freshest contents under the locks and makes the result durable. */
  Contents update(Change change) throws PpmlException {
    return locked(() -> {
      Contents current = read().contents();
      Contents next = change.apply(current);
      if (next != current) {
        write(next);
      }
      return next;
    });
  }

  /** Runs {@code action} holding the JVM lock for this directory and the exclusive file lock. */
  <T> T locked(LockedAction<T> action) throws PpmlException {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    jvmLock.lock();
    try (FileChannel channel = FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), ownerOnlyFile())) {
      FileLock lock = channel.lock();
      try {
        removeLeftovers();
        return action.run();
      } finally {
        lock.release();
      }
    } catch (PpmlException e) {
      throw e;
    } catch (IOException e) {
      throw failure("cannot update key store " + store + ": " + e, e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void write(Contents contents) throws IOException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(new Document(FORMAT, contents.keys()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode key store", e);
    }
    writeAtomically(store, bytes);
  }

  /**
   * Replaces {@code target} (in this directory) by {@code bytes} durably: temporary file created owner-only,
   * forced, renamed atomically, directory forced. Call under {@link #locked}.
   */
  void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path temp = dir.resolve(target.getFileName() + TEMP_INFIX + HexFormat.of().formatHex(randomBytes(8)));
    try {
      try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), ownerOnlyFile())) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    forceDirectory();
  }

  /**
   * Creates {@code target} (in this directory) with {@code bytes} durably, failing if it exists. Used for the
   * root key, which must never be replaced. Call under {@link #locked}.
   */
  void createAtomically(Path target, byte[] bytes) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    writeAtomically(target, bytes);
  }

  private void forceDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private void removeLeftovers() throws IOException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + TEMP_INFIX + "*")) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static FileAttribute<Set<PosixFilePermission>> ownerOnlyFile() {
    return PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE);
  }

  KmsException corrupt(String what, Throwable cause) {
    return new KmsException(ErrorCode.KEY_STORE_FAILURE, "key store " + store + " is corrupt: " + what, cause);
  }

  private static KmsException failure(String message, Throwable cause) {
    return new KmsException(ErrorCode.KEY_STORE_FAILURE, message, cause);
  }
}
