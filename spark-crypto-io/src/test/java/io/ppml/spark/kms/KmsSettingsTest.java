package io.ppml.spark.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsSettingsTest {
  @TempDir
  Path dir;

  @AfterEach
  void closeAll() throws PpmlException {
    ExecutorKms.closeAll();
  }

  @Test
  void defaultsAndParsing() {
    KmsSettings defaults = KmsSettings.fromMap(Map.of());
    assertEquals(KmsSettings.TYPE_LOCAL, defaults.type());
    assertTrue(defaults.localHome().isEmpty());
    assertEquals(KmsSettings.DEFAULT_CACHE_MAX_ENTRIES, defaults.cacheMaxEntries());

    KmsSettings s = KmsSettings.fromMap(Map.of(KmsSettings.TYPE, "LOCAL", KmsSettings.LOCAL_HOME, dir.toString(),
        KmsSettings.CACHE_MAX_ENTRIES, "5", KmsSettings.CACHE_TTL_SECONDS, "30"));
    assertEquals(dir.toAbsolutePath(), s.localHome().orElseThrow());
    assertEquals(5, s.cacheMaxEntries());
    assertEquals(Duration.ofSeconds(30), s.cacheTtl());
  }

  @Test
  void sparkConfHadoopConfAndApplyToAgree() {
    SparkConf spark = new SparkConf(false).set(KmsSettings.LOCAL_HOME, dir.toString())
        .set(KmsSettings.CACHE_TTL_SECONDS, "7");
    KmsSettings fromSpark = KmsSettings.fromSparkConf(spark);
    Configuration hadoop = new Configuration(false);
    fromSpark.applyTo(hadoop);
    assertEquals(dir.toAbsolutePath().toString(), hadoop.get(KmsSettings.LOCAL_HOME));
    assertEquals(fromSpark, KmsSettings.fromHadoopConf(hadoop));
    assertNotEquals(fromSpark, KmsSettings.local(dir.resolve("other")));
  }

  @Test
  void badValuesNameTheKey() {
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> KmsSettings.fromMap(Map.of(KmsSettings.TYPE, "vault")));
    assertTrue(type.getMessage().contains(KmsSettings.TYPE) && type.getMessage().contains(KmsSettings.TYPE_LOCAL));
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> KmsSettings.fromMap(Map.of(KmsSettings.CACHE_MAX_ENTRIES, "0")));
    assertTrue(size.getMessage().contains(KmsSettings.CACHE_MAX_ENTRIES));
  }

  @Test
  void kbsSettingsCarryOnlyLocationsAndTravelThroughEveryConfiguration() {
    Map<String, String> kbs = Map.of(KmsSettings.TYPE, "kbs", KbsClientConfig.URL, "https://kbs.example:8443",
        KbsClientConfig.CA, "ca.pem", KbsClientConfig.TEE, "simulated", KbsClientConfig.SIMULATED_STATE, "sim");
    KmsSettings s = KmsSettings.fromMap(kbs);
    KbsClientConfig client = s.kbsClientConfig();
    assertEquals(URI.create("https://kbs.example:8443"), client.url());
    assertEquals(Path.of("ca.pem").toAbsolutePath(), client.ca());
    assertEquals(KbsClientConfig.TEE_SIMULATED, client.tee());
    assertEquals(Path.of("sim").toAbsolutePath(), client.simulatedState());

    SparkConf spark = new SparkConf(false);
    kbs.forEach(spark::set);
    assertEquals(s, KmsSettings.fromSparkConf(spark));
    Configuration hadoop = new Configuration(false);
    hadoop.set(KbsClientConfig.ADMIN_KEY, "stale.pem");
    s.applyTo(hadoop);
    assertNull(hadoop.get(KbsClientConfig.ADMIN_KEY));
    assertEquals(s, KmsSettings.fromHadoopConf(hadoop));
    assertNotEquals(s, KmsSettings.fromMap(Map.of(KmsSettings.TYPE, "kbs",
        KbsClientConfig.URL, "https://other:8443", KbsClientConfig.CA, "ca.pem")));

    // The local type ignores broker settings; the broker type without its URL names the missing key.
    Map<String, String> local = new java.util.HashMap<>(kbs);
    local.put(KmsSettings.TYPE, "local");
    assertEquals(KmsSettings.fromMap(Map.of()), KmsSettings.fromMap(local));
    assertThrows(IllegalStateException.class, () -> KmsSettings.fromMap(local).kbsClientConfig());
    IllegalArgumentException noUrl = assertThrows(IllegalArgumentException.class,
        () -> KmsSettings.fromMap(Map.of(KmsSettings.TYPE, "kbs", KbsClientConfig.CA, "ca.pem")));
    assertTrue(noUrl.getMessage().contains(KbsClientConfig.URL));
    assertThrows(IllegalArgumentException.class, () -> KmsSettings.fromMap(Map.of(KmsSettings.TYPE, "kbs",
        KbsClientConfig.URL, "http://plain:80", KbsClientConfig.CA, "ca.pem")));
  }

  @Test
  void oneSharedServicePerSettingsThatCallersCannotClose() throws Exception {
    KmsSettings a = KmsSettings.local(dir.resolve("a"));
    KeyManagementService first = ExecutorKms.forSettings(a);
    assertSame(first, ExecutorKms.forSettings(KmsSettings.local(dir.resolve("a"))));
    assertNotSame(first, ExecutorKms.forSettings(KmsSettings.local(dir.resolve("b"))));

    first.createKey("k");
    first.close(); // a no-op on the shared view
    assertEquals("k", ExecutorKms.forSettings(a).listKeys().get(0).name());

    ExecutorKms.closeAll();
    KeyManagementService reopened = ExecutorKms.forSettings(a);
    assertNotSame(first, reopened);
    assertEquals(1, reopened.listKeys().size());
  }
}
