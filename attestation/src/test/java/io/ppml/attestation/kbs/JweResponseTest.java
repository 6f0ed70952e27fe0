package io.ppml.attestation.kbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.util.Base64URL;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client accepts only an untampered ECDH-ES+A256KW / A256GCM JWE to its own ephemeral key. */
class JweResponseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private KeyPair tee;

  @BeforeEach
  void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    tee = g.generateKeyPair();
  }

  private ObjectNode flattened(KeyPair to, EncryptionMethod enc, byte[] payload) throws Exception {
    JWEObject jwe = new JWEObject(new JWEHeader(JWEAlgorithm.ECDH_ES_A256KW, enc), new Payload(payload));
    jwe.encrypt(new ECDHEncrypter((ECPublicKey) to.getPublic()));
    String[] p = jwe.serialize().split("\\.", -1);
    ObjectNode n = JSON.createObjectNode();
    n.put("protected", p[0]).put("encrypted_key", p[1]).put("iv", p[2]).put("ciphertext", p[3]).put("tag", p[4]);
    return n;
  }

  @Test
  void decryptsAResponseToItsKey() throws Exception {
    byte[] plain = "{\"key\":\"AAAA\"}".getBytes();
    assertArrayEquals(plain, KbsClient.decryptFlattened(flattened(tee, EncryptionMethod.A256GCM, plain),
        (ECPrivateKey) tee.getPrivate()));
  }

  @Test
  void rejectsEveryTamperedMember() throws Exception {
    ObjectNode good = flattened(tee, EncryptionMethod.A256GCM, new byte[32]);
    for (String member : List.of("protected", "encrypted_key", "iv", "ciphertext", "tag")) {
      ObjectNode bad = good.deepCopy();
      byte[] bytes = Base64URL.from(bad.get(member).asText()).decode();
      bytes[bytes.length / 2] ^= 1;
      bad.put(member, Base64URL.encode(bytes).toString());
      IntegrityException e = assertThrows(IntegrityException.class,
          () -> KbsClient.decryptFlattened(bad, (ECPrivateKey) tee.getPrivate()), member);
      assertEquals(ErrorCode.INTEGRITY_FAILURE, e.code());
    }
  }

  @Test
  void aDecrypterThatKnowsTheEphemeralKeyStillRejectsTampering() throws Exception {
    ResponseDecrypter decrypter = KbsClient.responseDecrypter((ECPrivateKey) tee.getPrivate());
    ObjectNode good = flattened(tee, EncryptionMethod.A256GCM, new byte[32]);
    assertArrayEquals(new byte[32], decrypter.decrypt(good)); // caches this epk's shared secret
    for (String member : List.of("protected", "encrypted_key", "iv", "ciphertext", "tag")) {
      ObjectNode bad = good.deepCopy();
      byte[] bytes = Base64URL.from(bad.get(member).asText()).decode();
      bytes[bytes.length / 2] ^= 1;
      bad.put(member, Base64URL.encode(bytes).toString());
      assertEquals(ErrorCode.INTEGRITY_FAILURE,
          assertThrows(IntegrityException.class, () -> decrypter.decrypt(bad), member).code());
    }
    assertArrayEquals(new byte[32], decrypter.decrypt(good));
  }

  @Test
  void rejectsAResponseToAnotherKeyOrWithAnotherCipher() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    ObjectNode other = flattened(g.generateKeyPair(), EncryptionMethod.A256GCM, new byte[32]);
    assertThrows(IntegrityException.class, () -> KbsClient.decryptFlattened(other, (ECPrivateKey) tee.getPrivate()));
    ObjectNode cbc = flattened(tee, EncryptionMethod.A256CBC_HS512, new byte[32]);
    assertThrows(IntegrityException.class, () -> KbsClient.decryptFlattened(cbc, (ECPrivateKey) tee.getPrivate()));
  }
}
