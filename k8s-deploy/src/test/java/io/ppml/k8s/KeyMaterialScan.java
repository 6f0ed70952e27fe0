package io.ppml.k8s;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Looks for key material in rendered text: PEM private keys, long base64 runs (outside public certificate
 * blocks), hex runs of symmetric-key length (16, 24 or 32 bytes; 48-byte TDX measurements are allowed) and
 * secret-named fields with values other than file paths. The Confidential Containers initdata annotation is decoded and its content
 * scanned the same way.
 */
final class KeyMaterialScan {
  private static final Pattern CERTIFICATE = Pattern.compile(
      "-----BEGIN CERTIFICATE-----[\\sA-Za-z0-9+/=]*?-----END CERTIFICATE-----");
  private static final Pattern INITDATA = Pattern.compile(
      Pattern.quote(ManifestRenderer.INITDATA_ANNOTATION) + "\"?\\s*:\\s*\"?([A-Za-z0-9+/=]+)");
  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{40,}={0,2}");
  private static final Pattern HEX = Pattern.compile("(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])");
  private static final Pattern SECRET_FIELD = Pattern.compile(
      "(?i)\\b(password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|pin)\\b[ \\t]*[:=][ \\t]*(\\S+)");

  private KeyMaterialScan() {}

  /** What looks like key material in {@code text}, each finding naming its kind; empty when clean. */
  static List<String> findings(String text) throws IOException {
    List<String> out = new ArrayList<>();
    Matcher init = INITDATA.matcher(text);
    String rest = text;
    if (init.find()) {
      byte[] gz = Base64.getDecoder().decode(init.group(1));
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
        for (String f : findings(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
          out.add("initdata: " + f);
        }
      }
      rest = text.substring(0, init.start(1)) + text.substring(init.end(1));
    }
    if (rest.contains("PRIVATE KEY")) {
      out.add("PEM private key");
    }
    String outsideCertificates = CERTIFICATE.matcher(rest).replaceAll("");
    for (Matcher m = BASE64.matcher(outsideCertificates); m.find(); ) {
      if (!m.group().matches("[0-9a-fA-F]+")) {
        out.add("base64 run of " + m.group().length() + " characters");
      }
    }
    for (Matcher m = HEX.matcher(outsideCertificates); m.find(); ) {
      int len = m.group().length();
      if (len == 32 || len == 48 || len == 64) {
        out.add("hex run of " + len + " characters");
      }
    }
    for (Matcher m = SECRET_FIELD.matcher(outsideCertificates); m.find(); ) {
      // An absolute path names where a key lives (mounted from the operator's Secret); it is not the key.
      if (!m.group(2).startsWith("/")) {
        out.add("secret-named field " + m.group(1));
      }
    }
    return out;
  }
}
