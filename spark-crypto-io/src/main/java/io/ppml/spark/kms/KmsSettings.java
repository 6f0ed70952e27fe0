package io.ppml.spark.kms;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.core.config.PpmlHome;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;

/**
 * Where a Spark process finds its key management service: the {@code spark.ppml.kms.*} settings, parsed once.
 * They hold locations and limits only, never key material, so they may travel in a SparkConf, a Hadoop
 * configuration and task closures.
 *
 * <ul>
 *   <li>{@value #TYPE}: {@value #TYPE_LOCAL} (default), the embedded {@code LocalKms}; or {@value #TYPE_KBS},
 *       the key broker, reached after remote attestation through {@code KbsKeyManagementService}.
 *   <li>{@value #LOCAL_HOME}: the LocalKms home directory. Unset means {@code PPML_HOME}, else {@code ~/.ppml}, as
 *       seen by the process that opens the KMS (each executor resolves it itself).
 *   <li>For {@value #TYPE_KBS}: the client settings of {@link KbsClientConfig} ({@code spark.ppml.kbs.url},
 *       {@code spark.ppml.kbs.ca}, {@code spark.ppml.tee}, {@code spark.ppml.tee.simulated.state}, and the
 *       optional {@code spark.ppml.kbs.admin.key}/{@code .name}): a URL, file paths and a TEE type, never a token
 *       or key. Paths are made absolute against the working directory of the process that parses them.
 *   <li>{@value #CACHE_MAX_ENTRIES}: unwrapped keys each process keeps (default {@value #DEFAULT_CACHE_MAX_ENTRIES}).
 *   <li>{@value #CACHE_TTL_SECONDS}: how long one is kept (default {@value #DEFAULT_CACHE_TTL_SECONDS}).
 * </ul>
 * Two settings are equal when every value is equal; {@link ExecutorKms} keeps one service per distinct settings.
 */
public final class KmsSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String PREFIX = "spark.ppml.kms.";
  public static final String TYPE = PREFIX + "type";
  public static final String LOCAL_HOME = PREFIX + "local.home";
  public static final String CACHE_MAX_ENTRIES = PREFIX + "cache.maxEntries";
  public static final String CACHE_TTL_SECONDS = PREFIX + "cache.ttlSeconds";

  public static final String TYPE_LOCAL = "local";
  public static final String TYPE_KBS = "kbs";
  /** Every value {@value #TYPE} accepts. */
  public static final List<String> TYPES = List.of(TYPE_LOCAL, TYPE_KBS);
  public static final int DEFAULT_CACHE_MAX_ENTRIES = 1000;
  public static final long DEFAULT_CACHE_TTL_SECONDS = 600;

  /** The key broker settings, as {@link KbsClientConfig#from} reads them. */
  private static final List<String> KBS_KEYS = List.of(KbsClientConfig.URL, KbsClientConfig.CA, KbsClientConfig.TEE,
      KbsClientConfig.SIMULATED_STATE, KbsClientConfig.ADMIN_KEY, KbsClientConfig.ADMIN_NAME);
  private static final List<String> KBS_PATHS = List.of(KbsClientConfig.CA, KbsClientConfig.SIMULATED_STATE,
      KbsClientConfig.ADMIN_KEY);
  private static final List<String> KEYS = concat(List.of(TYPE, LOCAL_HOME, CACHE_MAX_ENTRIES, CACHE_TTL_SECONDS),
      KBS_KEYS);

  private final String type;
  /** Absolute path, or null for "resolve PPML_HOME in the process that opens the KMS". */
  private final String localHome;
  private final int cacheMaxEntries;
  private final long cacheTtlSeconds;
  /** The key broker settings given, for type {@value #TYPE_KBS} only; strings because Path is not serializable. */
  private final TreeMap<String, String> kbs;

  private KmsSettings(String type, String localHome, int cacheMaxEntries, long cacheTtlSeconds,
      TreeMap<String, String> kbs) {
    this.type = type;
    this.localHome = localHome;
    this.cacheMaxEntries = cacheMaxEntries;
    this.cacheTtlSeconds = cacheTtlSeconds;
    this.kbs = kbs;
  }

  /** The embedded KMS in {@code home}, with the default cache. */
  public static KmsSettings local(Path home) {
    return fromMap(Map.of(LOCAL_HOME, home.toString()));
  }

  /**
   * Parses the settings from {@code values} (other keys are ignored).
   *
   * @throws IllegalArgumentException naming the key and the allowed values when a value cannot be used
   */
  public static KmsSettings fromMap(Map<String, String> values) {
    String type = trimmed(values.get(TYPE));
    if (type == null) {
      type = TYPE_LOCAL;
    }
    type = type.toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(TYPE + " must be one of " + TYPES + ", got '" + type + "'");
    }
    String home = trimmed(values.get(LOCAL_HOME));
    if (home != null) {
      home = Path.of(home).toAbsolutePath().normalize().toString();
    }
    long maxEntries = parseLong(values, CACHE_MAX_ENTRIES, DEFAULT_CACHE_MAX_ENTRIES, 1, Integer.MAX_VALUE);
    long ttl = parseLong(values, CACHE_TTL_SECONDS, DEFAULT_CACHE_TTL_SECONDS, 1, Long.MAX_VALUE / 1_000_000_000L);
    TreeMap<String, String> kbs = new TreeMap<>();
    if (type.equals(TYPE_KBS)) {
      for (String key : KBS_KEYS) {
        String value = trimmed(values.get(key));
        if (value != null) {
          kbs.put(key, KBS_PATHS.contains(key) ? Path.of(value).toAbsolutePath().normalize().toString() : value);
        }
      }
      KbsClientConfig.from(kbs); // fails here, naming the key, rather than in the first task
    }
    return new KmsSettings(type, home, (int) maxEntries, ttl, kbs);
  }

  /** The settings in a Spark configuration (driver side). */
  public static KmsSettings fromSparkConf(SparkConf conf) {
    Map<String, String> values = new HashMap<>();
    for (String key : KEYS) {
      if (conf.contains(key)) {
        values.put(key, conf.get(key));
      }
    }
    return fromMap(values);
  }

  /** The settings in a Hadoop configuration, e.g. the per-job configuration a task sees. */
  public static KmsSettings fromHadoopConf(Configuration conf) {
    Map<String, String> values = new HashMap<>();
    for (String key : KEYS) {
      String value = conf.get(key);
      if (value != null) {
        values.put(key, value);
      }
    }
    return fromMap(values);
  }

  /** Copies these settings into {@code conf} under the same key names, so tasks reading it find them. */
  public void applyTo(Configuration conf) {
    conf.set(TYPE, type);
    if (localHome != null) {
      conf.set(LOCAL_HOME, localHome);
    } else {
      conf.unset(LOCAL_HOME);
    }
    conf.set(CACHE_MAX_ENTRIES, Integer.toString(cacheMaxEntries));
    conf.set(CACHE_TTL_SECONDS, Long.toString(cacheTtlSeconds));
    for (String key : KBS_KEYS) {
      if (kbs.containsKey(key)) {
        conf.set(key, kbs.get(key));
      } else {
        conf.unset(key);
      }
    }
  }

  public String type() {
    return type;
  }

  /** The configured LocalKms home, if one was given. */
  public Optional<Path> localHome() {
    return Optional.ofNullable(localHome).map(Path::of);
  }

  /** The LocalKms home this process uses: the configured one, else {@code PPML_HOME}, else {@code ~/.ppml}. */
  public Path resolvedLocalHome() {
    return PpmlHome.resolve(localHome == null ? null : Path.of(localHome));
  }

  /** How to reach the key broker; only for type {@value #TYPE_KBS}. */
  public KbsClientConfig kbsClientConfig() {
    if (!type.equals(TYPE_KBS)) {
      throw new IllegalStateException(TYPE + " is " + type + ", not " + TYPE_KBS);
    }
    return KbsClientConfig.from(kbs);
  }

  public int cacheMaxEntries() {
    return cacheMaxEntries;
  }

  public Duration cacheTtl() {
    return Duration.ofSeconds(cacheTtlSeconds);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private static String trimmed(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.trim();
  }

  private static long parseLong(Map<String, String> values, String key, long fallback, long min, long max) {
    String value = trimmed(values.get(key));
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new IllegalArgumentException(key + " must be an integer from " + min + " to " + max + ", got '"
        + value + "'");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KmsSettings s && s.type.equals(type) && Objects.equals(s.localHome, localHome)
        && s.cacheMaxEntries == cacheMaxEntries && s.cacheTtlSeconds == cacheTtlSeconds && s.kbs.equals(kbs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, localHome, cacheMaxEntries, cacheTtlSeconds, kbs);
  }

  @Override
  public String toString() {
    return "KmsSettings[" + type + (localHome == null ? "" : " " + localHome) + (kbs.isEmpty() ? "" : " " + kbs)
        + ", cache " + cacheMaxEntries + " keys for " + cacheTtlSeconds + "s]";
  }
}
