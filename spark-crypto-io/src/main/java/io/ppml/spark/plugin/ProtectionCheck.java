package io.ppml.spark.plugin;

import io.ppml.spark.kms.KmsSettings;
import io.ppml.spark.tls.MutualTlsProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rules a protected job's Spark configuration must satisfy; each violation is reported with the setting to
 * change. Spark versions are checked too: mutual TLS depends on how Spark creates its TLS engines, which has
 * been verified for the versions in {@link #SUPPORTED_SPARK}.
 */
public final class ProtectionCheck {
  /** Spark versions (prefixes) whose TLS engine creation mutual TLS has been verified against. */
  public static final List<String> SUPPORTED_SPARK = List.of("4.2.");
  /** Escape hatch for a newer Spark whose TLS path is known to be unchanged; the probe still runs. */
  public static final String ALLOW_UNVERIFIED_SPARK = "spark.ppml.allowUnverifiedSparkVersion";

  private ProtectionCheck() {}

  /** Violations of {@code conf} (empty when the job may run) for a Spark of {@code sparkVersion}. */
  public static List<String> violations(String sparkVersion, Map<String, String> conf) {
    List<String> v = new ArrayList<>();
    if (SUPPORTED_SPARK.stream().noneMatch(sparkVersion::startsWith)
        && !"true".equals(conf.get(ALLOW_UNVERIFIED_SPARK))) {
      v.add("Spark " + sparkVersion + " is not a version mutual TLS has been verified with " + SUPPORTED_SPARK
          + " (set " + ALLOW_UNVERIFIED_SPARK + "=true only after checking its SSLFactory)");
    }
    require(v, conf, "spark.ssl.rpc.enabled", "true", "mutual TLS for RPC, block transfer and shuffle");
    require(v, conf, "spark.ssl.rpc.protocol", MutualTlsProvider.PROTOCOL,
        "the attested mutual-TLS provider; another protocol would use Spark's own TLS without client certificates");
    for (String pem : List.of("spark.ssl.rpc.privateKey", "spark.ssl.rpc.certChain")) {
      if (conf.containsKey(pem)) {
        v.add(pem + " must not be set: a PEM key makes Spark use its own TLS engine without client certificates");
      }
    }
    require(v, conf, "spark.io.encryption.enabled", "true", "shuffle and spill files encrypted");
    if ("true".equals(conf.get("spark.network.crypto.enabled"))) {
      v.add("spark.network.crypto.enabled must be false: TLS already protects every connection");
    }
    if ("true".equals(conf.get("spark.eventLog.enabled"))) {
      v.add("spark.eventLog.enabled must be false: event logs hold query plans with literals in clear");
    }
    if (!"false".equals(conf.getOrDefault("spark.ui.enabled", "true"))
        && !"true".equals(conf.get("spark.ssl.ui.enabled"))) {
      v.add("spark.ui.enabled must be false (or the UI served over TLS with spark.ssl.ui.enabled=true)");
    }
    require(v, conf, KmsSettings.TYPE, KmsSettings.TYPE_KBS,
        "data keys released by the key broker to attested JVMs only");
    return v;
  }

  private static void require(List<String> v, Map<String, String> conf, String key, String value, String why) {
    if (!value.equals(conf.get(key))) {
      v.add(key + " must be " + value + " (" + why + "), is " + conf.getOrDefault(key, "unset"));
    }
  }
}
