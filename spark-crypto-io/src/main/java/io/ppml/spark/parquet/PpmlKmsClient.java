package io.ppml.spark.parquet;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.crypto.keytools.KmsClient;

/**
 * Parquet Modular Encryption's {@link KmsClient} backed by the project's {@link KeyManagementService}: Parquet's
 * master key ids are primary key names, and wrapped keys are {@link WrappedKey#toBase64()} strings (which name
 * the primary key and version, so rotation and {@code rewrap} keep working).
 *
 * <p>Parquet builds this class with its no-arg constructor (from
 * {@code parquet.encryption.kms.client.class}) and calls {@link #initialize}; the key service then comes from
 * the {@code spark.ppml.kms.*} settings in the Hadoop configuration, through the process-wide instance of
 * {@link ExecutorKms}. Parquet's {@code kmsInstanceID}, {@code kmsInstanceURL} and access token are not used:
 * access to keys is decided by the key service (attestation), not by a token.
 *
 * <p>Errors: denied access raises Parquet's {@link KeyAccessDeniedException} (as {@link KmsClient} asks), any
 * other key service failure a {@link ParquetCryptoRuntimeException}; both carry the project's typed
 * {@link PpmlException} as cause.
 */
public final class PpmlKmsClient implements KmsClient {
  private final KeyManagementService fixed;
  private KmsSettings settings;

  /** Used by Parquet; {@link #initialize} picks the key service from the Hadoop configuration. */
  public PpmlKmsClient() {
    this.fixed = null;
  }

  /** A client over a given key service; {@link #initialize} then keeps it. */
  PpmlKmsClient(KeyManagementService kms) {
    this.fixed = kms;
  }

  @Override
  public void initialize(Configuration configuration, String kmsInstanceID, String kmsInstanceURL,
      String accessToken) {
    if (fixed != null) {
      return;
    }
    settings = KmsSettings.fromHadoopConf(configuration);
    kms(); // opens the service now, so that a bad configuration fails here
  }

  @Override
  public String wrapKey(byte[] keyBytes, String masterKeyIdentifier) {
    try (SecretBytes key = SecretBytes.copyOf(keyBytes)) {
      return kms().wrap(masterKeyIdentifier, key).toBase64();
    } catch (PpmlException e) {
      throw translate(e);
    }
  }

  @Override
  public byte[] unwrapKey(String wrappedKey, String masterKeyIdentifier) {
    try {
      WrappedKey wrapped = WrappedKey.fromBase64(wrappedKey);
      // The key material names its master key in clear; a wrapped key that names another primary key was
      // swapped in, and unwrapping it would hand out a key under the wrong name.
      if (!wrapped.keyName().equals(masterKeyIdentifier)) {
        throw new ParquetCryptoRuntimeException("wrapped key names primary key '" + wrapped.keyName()
            + "' but the Parquet key material names '" + masterKeyIdentifier + "'");
      }
      try (SecretBytes key = kms().unwrap(wrapped)) {
        return key.toByteArray();
      }
    } catch (PpmlException e) {
      throw translate(e);
    }
  }

  /**
   * Parquet keeps its clients for the life of the JVM while the key services may be closed and reopened
   * ({@link ExecutorKms#closeAll}, e.g. when a session stops): the service is looked up on every use, not kept.
   */
  private KeyManagementService kms() {
    if (fixed != null) {
      return fixed;
    }
    if (settings == null) {
      throw new IllegalStateException("PpmlKmsClient used before initialize()");
    }
    try {
      return ExecutorKms.forSettings(settings);
    } catch (PpmlException e) {
      throw translate(e);
    }
  }

  private static ParquetCryptoRuntimeException translate(PpmlException e) {
    if (e instanceof io.ppml.core.error.KeyAccessDeniedException) {
      return new KeyAccessDeniedException(e.getMessage(), e);
    }
    return new ParquetCryptoRuntimeException(e.getMessage(), e);
  }
}
