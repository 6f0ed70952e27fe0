package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Responses under one token share an ephemeral key but are otherwise independent, standard JWEs. */
class ResponseEncryptionTest {
  private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

  private static KeyPair teeKey() throws Exception {
    return CertificateAuthority.newKeyPair(new java.security.SecureRandom());
  }

  private static ECKey jwk(KeyPair k) {
    return new ECKey.Builder(Curve.P_256, (ECPublicKey) k.getPublic()).build();
  }

  private static JWEObject parse(String[] parts) throws Exception {
    return JWEObject.parse(String.join(".", parts));
  }

  /** Decrypts with nimbus's stock decrypter, which does the ECDH itself. */
  private static byte[] standardDecrypt(String[] parts, KeyPair to) throws Exception {
    JWEObject jwe = parse(parts);
    jwe.decrypt(new ECDHDecrypter((ECPrivateKey) to.getPrivate()));
    return jwe.getPayload().toBytes();
  }

  @Test
  void twoResponsesUnderOneTokenDecryptStandardlyWithFreshCeksAndIvs() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now.get(); }
    };
    ResponseEncryption enc = new ResponseEncryption(BC, Duration.ofMinutes(5), clock);
    KeyPair tee = teeKey();
    byte[] first = "{\"key\":\"first\"}".getBytes();
    byte[] second = "{\"key\":\"second\"}".getBytes();
    String[] a = enc.encrypt(jwk(tee), first);
    String[] b = enc.encrypt(jwk(tee), second);

    assertArrayEquals(first, standardDecrypt(a, tee));
    assertArrayEquals(second, standardDecrypt(b, tee));
    ECKey epkA = (ECKey) parse(a).getHeader().getEphemeralPublicKey();
    assertEquals(epkA, parse(b).getHeader().getEphemeralPublicKey(), "one ephemeral key per token");
    assertNotEquals(a[1], b[1], "fresh CEK, wrapped afresh");
    assertNotEquals(a[2], b[2], "fresh IV");

    // Another workload key gets its own ephemeral key, and cannot read this one's responses.
    KeyPair other = teeKey();
    assertNotEquals(epkA, parse(enc.encrypt(jwk(other), first)).getHeader().getEphemeralPublicKey());
    assertThrows(JOSEException.class, () -> standardDecrypt(a, other));

    // After the token lifetime the ephemeral key is replaced.
    now.set(now.get().plus(Duration.ofMinutes(6)));
    String[] later = enc.encrypt(jwk(tee), first);
    assertNotEquals(epkA, parse(later).getHeader().getEphemeralPublicKey());
    assertArrayEquals(first, standardDecrypt(later, tee));
  }
}
