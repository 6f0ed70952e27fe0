package io.ppml.kbs.server;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.LocalKms;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Opens the broker's key store: {@link LocalKms} (atomic, crash-safe, versioned {@code keys.json}) in
 * {@code <state>/keys}, with the root key either in the owner-only {@code keys/root.key} file (development
 * default) or inside a PKCS#11 token ({@link Pkcs11RootKey}).
 */
final class KbsStore {
  static final String KEYS_DIR = "keys";

  private KbsStore() {}

  static LocalKms open(KbsConfig config, SecureRandom random) throws PpmlException {
    Path keys = config.stateDir.resolve(KEYS_DIR);
    if (config.rootKeyType == KbsConfig.RootKeyType.FILE) {
      return LocalKms.open(keys);
    }
    KbsConfig.Pkcs11 p = config.pkcs11;
    char[] pin = null;
    try {
      pin = p.pin();
      return LocalKms.open(keys, Pkcs11RootKey.open(p.library(), p.slotListIndex(), pin, p.keyLabel(), random));
    } catch (IOException e) {
      if (e instanceof PpmlException pe) {
        throw pe;
      }
      throw new KmsException(ErrorCode.KEY_STORE_FAILURE, e.getMessage(), e);
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
    }
  }
}
