package io.ppml.attestation.kbs;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * An administrator's signing key (EC P-256, PKCS#8 PEM file, owner-only) from which short-lived admin tokens
 * are minted: ES256 JWTs with {@code sub} = the admin's name, audience {@value KbsProtocol#ADMIN_AUDIENCE},
 * valid for one minute. The broker accepts them only if it was configured with the matching public key.
 */
public final class AdminCredential {
  private static final Duration LIFETIME = Duration.ofMinutes(1);
  private final String name;
  private final ECDSASigner signer;
  private final Clock clock;

  public AdminCredential(String name, PrivateKey key, Clock clock) {
    this.name = name;
    try {
      this.signer = new ECDSASigner((ECPrivateKey) key);
    } catch (JOSEException | ClassCastException e) {
      throw new IllegalArgumentException("admin key must be an EC P-256 private key", e);
    }
    this.clock = clock;
  }

  /** Reads a PKCS#8 (or SEC1) PEM private key file. */
  public static AdminCredential load(String name, Path pemFile) throws IOException {
    try (PEMParser p = new PEMParser(Files.newBufferedReader(pemFile, StandardCharsets.UTF_8))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      PrivateKey key;
      if (o instanceof PrivateKeyInfo info) {
        key = c.getPrivateKey(info);
      } else if (o instanceof PEMKeyPair pair) {
        key = c.getPrivateKey(pair.getPrivateKeyInfo());
      } else {
        throw new IOException("no unencrypted EC private key in " + pemFile);
      }
      return new AdminCredential(name, key, Clock.systemUTC());
    }
  }

  /** A fresh admin token. */
  public String mint() {
    Date now = Date.from(clock.instant());
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .subject(name)
        .audience(KbsProtocol.ADMIN_AUDIENCE)
        .issueTime(now)
        .expirationTime(Date.from(clock.instant().plus(LIFETIME)))
        .jwtID(UUID.randomUUID().toString())
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign admin token", e);
    }
    return jwt.serialize();
  }

  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "AdminCredential[" + name + "]";
  }
}
