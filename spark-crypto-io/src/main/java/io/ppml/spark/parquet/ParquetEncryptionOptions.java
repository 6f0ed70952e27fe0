package io.ppml.spark.parquet;

import io.ppml.spark.kms.KmsSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory;

/**
 * The {@code ppml-parquet} options, parsed once, and the Parquet Modular Encryption settings they stand for.
 *
 * <ul>
 *   <li>{@value #KEY}: primary key name; required for writing. Alone, it is the footer key and the key of every
 *       column ({@code parquet.encryption.uniform.key}). With {@value #COLUMN_KEYS} it is the footer key and the
 *       key of every column not listed there.
 *   <li>{@value #COLUMN_KEYS}: {@code "k1:c1,c2;k2:c3"}, per-column primary keys
 *       ({@code parquet.encryption.column.keys}).
 *   <li>{@value #PLAINTEXT_FOOTER}: {@code true} leaves the footer (schema, row counts, statistics of
 *       unencrypted columns) readable, signed with the footer key; the file magic is then {@code PAR1}
 *       instead of {@code PARE}. Default {@code false}.
 *   <li>{@value #ALGORITHM}: {@code AES_GCM_V1} (default, every page authenticated) or {@code AES_GCM_CTR_V1},
 *       which encrypts page data with AES-CTR and leaves it <em>unauthenticated</em>: a changed byte in a page
 *       goes undetected. Only used when asked for by name.
 * </ul>
 * Reading needs none of these: the key metadata in the file names the keys.
 */
public final class ParquetEncryptionOptions {
  public static final String KEY = "key";
  public static final String COLUMN_KEYS = "columnKeys";
  public static final String PLAINTEXT_FOOTER = "plaintextFooter";
  public static final String ALGORITHM = "algorithm";

  public static final String AES_GCM_V1 = "AES_GCM_V1";
  public static final String AES_GCM_CTR_V1 = "AES_GCM_CTR_V1";

  static final String CRYPTO_FACTORY_CLASS = "parquet.crypto.factory.class";
  static final String KMS_CLIENT_CLASS = "parquet.encryption.kms.client.class";
  static final String UNIFORM_KEY = "parquet.encryption.uniform.key";
  static final String FOOTER_KEY = "parquet.encryption.footer.key";
  static final String PARQUET_COLUMN_KEYS = "parquet.encryption.column.keys";
  static final String COMPLETE_COLUMNS = "parquet.encryption.complete.columns";
  static final String PARQUET_PLAINTEXT_FOOTER = "parquet.encryption.plaintext.footer";
  static final String PARQUET_ALGORITHM = "parquet.encryption.algorithm";
  static final String ACCESS_TOKEN = "parquet.encryption.key.access.token";

  private final String key;
  private final String columnKeys;
  private final boolean plaintextFooter;
  private final String algorithm;

  private ParquetEncryptionOptions(String key, String columnKeys, boolean plaintextFooter, String algorithm) {
    this.key = key;
    this.columnKeys = columnKeys;
    this.plaintextFooter = plaintextFooter;
    this.algorithm = algorithm;
  }

  /** Parses the options of a write; fails with {@link InvalidOptionException} naming the offending option. */
  public static ParquetEncryptionOptions forWrite(Map<String, String> options) {
    Map<String, String> o = caseInsensitive(options);
    String key = trimmed(o.get(KEY.toLowerCase(Locale.ROOT)));
    if (key == null) {
      throw new InvalidOptionException(KEY, "writing ppml-parquet needs option(\"" + KEY
          + "\", <primary key name>): the footer key and the key of every column without a column key");
    }
    String columnKeys = trimmed(o.get(COLUMN_KEYS.toLowerCase(Locale.ROOT)));
    if (columnKeys != null) {
      checkColumnKeys(columnKeys);
    }
    boolean plaintextFooter = parseBoolean(PLAINTEXT_FOOTER, o.get(PLAINTEXT_FOOTER.toLowerCase(Locale.ROOT)));
    String algorithm = trimmed(o.get(ALGORITHM.toLowerCase(Locale.ROOT)));
    if (algorithm == null) {
      algorithm = AES_GCM_V1;
    } else if (!algorithm.equals(AES_GCM_V1) && !algorithm.equals(AES_GCM_CTR_V1)) {
      throw new InvalidOptionException(ALGORITHM, "option(\"" + ALGORITHM + "\") must be " + AES_GCM_V1
          + " or " + AES_GCM_CTR_V1 + ", got '" + algorithm + "'");
    }
    return new ParquetEncryptionOptions(key, columnKeys, plaintextFooter, algorithm);
  }

  /**
   * Sets the Parquet encryption settings of one write, overriding whatever {@code parquet.encryption.*} values
   * the session or the options carried, so that nothing weaker slips in.
   */
  void applyTo(Configuration conf) {
    applyReadSettings(conf);
    conf.unset(UNIFORM_KEY);
    conf.unset(FOOTER_KEY);
    conf.unset(PARQUET_COLUMN_KEYS);
    if (columnKeys == null) {
      conf.set(UNIFORM_KEY, key);
    } else {
      conf.set(FOOTER_KEY, key);
      conf.set(PARQUET_COLUMN_KEYS, columnKeys);
      // Columns without a column key are encrypted with the footer key rather than left in clear.
      conf.setBoolean(COMPLETE_COLUMNS, true);
    }
    conf.setBoolean(PARQUET_PLAINTEXT_FOOTER, plaintextFooter);
    conf.set(PARQUET_ALGORITHM, algorithm);
  }

  /**
   * The settings every read and write needs: Parquet's key tools with our {@link PpmlKmsClient}, and a cache
   * scope for the key service in {@code conf}. Parquet keeps KMS clients and unwrapped key-encryption keys in
   * process-wide caches partitioned only by its "access token"; our client does not use tokens (the key service
   * decides access), so the token is set to an opaque digest of the {@code spark.ppml.kms.*} settings. Two jobs
   * with different key services in one JVM then never share Parquet's cached clients or keys.
   */
  static Map<String, String> readSettings(Configuration conf) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(CRYPTO_FACTORY_CLASS, PropertiesDrivenCryptoFactory.class.getName());
    m.put(KMS_CLIENT_CLASS, PpmlKmsClient.class.getName());
    m.put(ACCESS_TOKEN, cacheScope(KmsSettings.fromHadoopConf(conf)));
    return m;
  }

  static void applyReadSettings(Configuration conf) {
    readSettings(conf).forEach(conf::set);
  }

  private static String cacheScope(KmsSettings settings) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(settings.toString().getBytes(StandardCharsets.UTF_8));
      return "ppml-kms-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
    }
  }

  public String key() {
    return key;
  }

  /** The per-column keys as given, or null. */
  public String columnKeys() {
    return columnKeys;
  }

  public boolean plaintextFooter() {
    return plaintextFooter;
  }

  public String algorithm() {
    return algorithm;
  }

  private static void checkColumnKeys(String value) {
    for (String entry : value.split(";")) {
      String[] parts = entry.split(":", -1);
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw new InvalidOptionException(COLUMN_KEYS, "option(\"" + COLUMN_KEYS
            + "\") must look like \"k1:c1,c2;k2:c3\"; bad entry '" + entry + "'");
      }
    }
  }

  private static boolean parseBoolean(String option, String value) {
    if (value == null) {
      return false;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new InvalidOptionException(option,
          "option(\"" + option + "\") must be true or false, got '" + value + "'");
    };
  }

  private static String trimmed(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  // Spark hands data source options over case-insensitively.
  private static Map<String, String> caseInsensitive(Map<String, String> options) {
    Map<String, String> m = new LinkedHashMap<>();
    options.forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
    return m;
  }

  @Override
  public String toString() {
    return "ParquetEncryptionOptions[key=" + key + ", columnKeys=" + columnKeys + ", plaintextFooter="
        + plaintextFooter + ", algorithm=" + algorithm + "]";
  }
}
