package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.kbs.AttestationDeniedException;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker over real HTTPS on loopback with a simulated TDX platform allowed by the development policy. */
class KbsEndToEndTest {
  @TempDir Path dir;

  @Test
  void attestedWorkloadGetsKeysResourcesAndACertificate() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir);
         KbsClient admin = kbs.adminClient();
         KbsClient client = kbs.workload()) {
      admin.createKey("customers");
      admin.putResource("spark", "secret", "authenticate", "s3cret".getBytes());

      try (DataKey dk = client.generateDataKey("customers");
           SecretBytes unwrapped = client.unwrap(dk.wrapped())) {
        assertEquals(32, dk.plaintext().length());
        assertTrue(unwrapped.sameAs(dk.plaintext()));
        admin.rotateKey("customers");
        WrappedKey rewrapped = client.rewrap(dk.wrapped());
        assertEquals(2, rewrapped.keyVersion());
        try (SecretBytes again = client.unwrap(rewrapped)) {
          assertTrue(again.sameAs(dk.plaintext()));
        }
      }
      try (DerivedKey a = client.deriveKey("customers", 1, "column-det-v1");
           DerivedKey b = client.deriveKey("customers", 1, "column-det-v1");
           DerivedKey c = client.deriveKey("customers", 2, "column-det-v1")) {
        assertTrue(a.key().sameAs(b.key()));
        assertFalse(a.key().sameAs(c.key()));
      }
      try (SecretBytes secret = client.resource("spark", "secret", "authenticate")) {
        assertArrayEquals("s3cret".getBytes(), secret.toByteArray());
      }
      KeyPair key = CertificateAuthority.newKeyPair(new java.security.SecureRandom());
      KbsClient.WorkloadCertificate cert = client.certificate(key);
      X509Certificate leaf = cert.certificate();
      leaf.verify(kbs.server.caCertificate().getPublicKey());
      assertEquals(key.getPublic(), leaf.getPublicKey());
      assertTrue(leaf.getSubjectX500Principal().getName().contains("CN=" + DevKbs.WORKLOAD));
      assertNotEquals(null, client.token());
    }
  }

  @Test
  void oneClientServesManyThreadsAtOnce() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir);
         KbsClient admin = kbs.adminClient();
         KbsClient client = kbs.workload()) {
      admin.createKey("shared");
      List<DataKey> keys = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        keys.add(client.generateDataKey("shared"));
      }
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
          DataKey dk = keys.get(i % keys.size());
          results.add(pool.submit(() -> {
            try (SecretBytes k = client.unwrap(dk.wrapped())) {
              return k.sameAs(dk.plaintext());
            }
          }));
        }
        for (Future<Boolean> r : results) {
          assertTrue(r.get(60, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
        keys.forEach(DataKey::close);
      }
    }
  }
}
