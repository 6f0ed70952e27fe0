package io.ppml.core.kms;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code root.key}: the 32-byte root key of the embedded {@link LocalKms}, protected only by file
 * permissions. This is the development default; production keeps the root key in the key broker's HSM.
 * Created once (owner-only from the moment it exists), never replaced, and refused when group or others may
 * access it.
 */
final class RootKeyFile {
  static final String NAME = "root.key";
  static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private RootKeyFile() {}

  /** Loads the root key of {@code store}'s directory, creating it if neither it nor any primary key exists. */
  static SecretBytes loadOrCreate(Path dir, KeyStoreFile store, SecureRandom random) throws PpmlException {
    Path file = dir.resolve(NAME);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      store.locked(() -> {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          return null; // another process created it while we waited for the lock
        }
        if (!store.read().contents().keys().isEmpty()) {
          throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "root key " + file + " is missing but "
              + store.path() + " holds primary keys wrapped by it; restore the root key file");
        }
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        try {
          store.createAtomically(file, key);
        } finally {
          Arrays.fill(key, (byte) 0);
        }
        return null;
      });
    }
    return load(file);
  }

  private static SecretBytes load(Path file) throws PpmlException {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "root key " + file + " is not a regular file");
      }
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      if (perms.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "root key " + file + " is accessible by group or "
            + "others (" + PosixFilePermissions.toString(perms) + "); refusing to use it; run: chmod 600 " + file);
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != KEY_BYTES) {
        Arrays.fill(key, (byte) 0);
        throw new KmsException(ErrorCode.KEY_STORE_FAILURE,
            "root key " + file + " has " + key.length + " bytes, expected " + KEY_BYTES);
      }
      return SecretBytes.wrap(key);
    } catch (UnsupportedOperationException e) {
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE,
          "root key " + file + " is on a file system without POSIX permissions", e);
    } catch (IOException e) {
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, "cannot read root key " + file + ": " + e, e);
    }
  }
}
