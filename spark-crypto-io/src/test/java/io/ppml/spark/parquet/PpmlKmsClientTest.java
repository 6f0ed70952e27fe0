package io.ppml.spark.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.core.kms.WrappedKey;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KmsClient contract on its own, over a real LocalKms. */
class PpmlKmsClientTest {
  @TempDir static Path dir;
  private static LocalKms kms;
  private static PpmlKmsClient client;

  @BeforeAll
  static void open() throws Exception {
    kms = LocalKms.open(dir);
    kms.createKey("footer");
    kms.createKey("other");
    client = new PpmlKmsClient(kms);
  }

  @AfterAll
  static void close() {
    kms.close();
  }

  @Test
  void wrapsAsBase64WrappedKeyNamingTheMasterKey() throws Exception {
    byte[] dek = new byte[16];
    new java.security.SecureRandom().nextBytes(dek);
    String wrapped = client.wrapKey(dek, "footer");
    WrappedKey parsed = WrappedKey.fromBase64(wrapped);
    assertEquals("footer", parsed.keyName());
    assertEquals(1, parsed.keyVersion());
    assertArrayEquals(dek, client.unwrapKey(wrapped, "footer"));
  }

  @Test
  void wrappedKeyOfAnotherMasterKeyIsRefused() {
    String wrapped = client.wrapKey(new byte[16], "other");
    assertThrows(ParquetCryptoRuntimeException.class, () -> client.unwrapKey(wrapped, "footer"));
  }

  @Test
  void unknownMasterKeyCarriesTheTypedError() {
    ParquetCryptoRuntimeException e = assertThrows(ParquetCryptoRuntimeException.class,
        () -> client.wrapKey(new byte[16], "missing"));
    assertEquals("missing", assertInstanceOf(UnknownKeyException.class, e.getCause()).keyName());
  }

  @Test
  void deniedAccessBecomesParquetsKeyAccessDenied() throws Exception {
    String wrapped = client.wrapKey(new byte[16], "footer");
    // A key service whose policy refuses "footer" to this caller (as the key broker does for a failed rule).
    KeyManagementService denying = (KeyManagementService) Proxy.newProxyInstance(
        KeyManagementService.class.getClassLoader(), new Class<?>[] {KeyManagementService.class},
        (proxy, method, args) -> {
          if (method.getName().equals("unwrap")) {
            throw new KeyAccessDeniedException("footer", "unwrap", "tenant policy");
          }
          try {
            return method.invoke(kms, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    org.apache.parquet.crypto.KeyAccessDeniedException e = assertThrows(
        org.apache.parquet.crypto.KeyAccessDeniedException.class,
        () -> new PpmlKmsClient(denying).unwrapKey(wrapped, "footer"));
    KeyAccessDeniedException cause = assertInstanceOf(KeyAccessDeniedException.class, e.getCause());
    assertEquals("footer", cause.keyName());
    assertEquals(ErrorCode.ACCESS_DENIED, cause.code());
  }

  @Test
  void tamperedWrappedKeyFailsIntegrity() throws Exception {
    WrappedKey w = WrappedKey.fromBase64(client.wrapKey(new byte[16], "footer"));
    byte[] ct = w.ciphertext();
    ct[ct.length - 1] ^= 1;
    String tampered = new WrappedKey(w.keyName(), w.keyVersion(), ct).toBase64();
    ParquetCryptoRuntimeException e = assertThrows(ParquetCryptoRuntimeException.class,
        () -> client.unwrapKey(tampered, "footer"));
    assertInstanceOf(IntegrityException.class, e.getCause());
    assertThrows(ParquetCryptoRuntimeException.class,
        () -> client.unwrapKey(Base64.getEncoder().encodeToString(new byte[3]), "footer"));
  }
}
