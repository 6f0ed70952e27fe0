package io.ppml.kbs.server;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM reading and writing of certificates and keys (BouncyCastle); private keys are written owner-only. */
public final class Pem {
  private Pem() {}

  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          out.add(new JcaX509CertificateConverter().getCertificate(h));
        }
      }
    } catch (CertificateException e) {
      throw new IOException("bad certificate in " + file, e);
    }
    if (out.isEmpty()) {
      throw new IOException("no certificate in " + file);
    }
    return out;
  }

  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (PEMParser p = new PEMParser(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      Object o = p.readObject();
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return c.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return c.getPrivateKey(pair.getPrivateKeyInfo());
      }
      throw new IOException("no unencrypted private key in " + file);
    }
  }

  public static PublicKey readPublicKey(Path file) throws IOException {
    try (PEMParser p = new PEMParser(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      Object o = p.readObject();
      if (o instanceof SubjectPublicKeyInfo info) {
        return new JcaPEMKeyConverter().getPublicKey(info);
      }
      if (o instanceof X509CertificateHolder h) {
        return new JcaPEMKeyConverter().getPublicKey(h.getSubjectPublicKeyInfo());
      }
      throw new IOException("no public key in " + file);
    }
  }

  public static String encode(Object... objects) {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return s.toString();
  }

  /** Writes {@code text} to a new or replaced file readable by everyone (certificates, public keys). */
  public static void writePublic(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Writes a private key as PKCS#8 PEM into a file created owner-only (0600). */
  public static void writePrivate(Path file, PrivateKey key) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(file, encode(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate()),
          StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IOException("cannot encode private key", e);
    }
  }

  static List<Object> parseAll(String text) throws IOException {
    List<Object> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        out.add(o);
      }
    }
    return out;
  }
}
