package io.ppml.spark.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtectionCheckTest {
  private static Map<String, String> protectedConf() {
    Map<String, String> c = new HashMap<>();
    c.put("spark.ssl.rpc.enabled", "true");
    c.put("spark.ssl.rpc.protocol", "PPML-TLSv1.3");
    c.put("spark.io.encryption.enabled", "true");
    c.put("spark.network.crypto.enabled", "false");
    c.put("spark.ui.enabled", "false");
    c.put("spark.ppml.kms.type", "kbs");
    return c;
  }

  private static void assertSingleViolation(Map<String, String> conf, String mention) {
    List<String> v = ProtectionCheck.violations("4.2.0", conf);
    assertEquals(1, v.size(), v.toString());
    assertTrue(v.get(0).contains(mention), v.get(0));
  }

  @Test
  void aProtectedConfigurationPasses() {
    assertEquals(List.of(), ProtectionCheck.violations("4.2.0", protectedConf()));
  }

  @Test
  void eachWeakeningIsNamed() {
    Map<String, String> c = protectedConf();
    c.remove("spark.ssl.rpc.enabled");
    assertSingleViolation(c, "spark.ssl.rpc.enabled must be true");
    c = protectedConf();
    c.put("spark.ssl.rpc.protocol", "TLSv1.3");
    assertSingleViolation(c, "spark.ssl.rpc.protocol must be PPML-TLSv1.3");
    c = protectedConf();
    c.put("spark.ssl.rpc.privateKey", "/k.pem");
    assertSingleViolation(c, "spark.ssl.rpc.privateKey must not be set");
    c = protectedConf();
    c.put("spark.io.encryption.enabled", "false");
    assertSingleViolation(c, "spark.io.encryption.enabled must be true");
    c = protectedConf();
    c.put("spark.eventLog.enabled", "true");
    assertSingleViolation(c, "spark.eventLog.enabled must be false");
    c = protectedConf();
    c.remove("spark.ui.enabled");
    assertSingleViolation(c, "spark.ui.enabled must be false");
    c.put("spark.ssl.ui.enabled", "true");
    assertEquals(List.of(), ProtectionCheck.violations("4.2.0", c));
    c = protectedConf();
    c.put("spark.ppml.kms.type", "local");
    assertSingleViolation(c, "spark.ppml.kms.type must be kbs");
    c = protectedConf();
    c.put("spark.network.crypto.enabled", "true");
    assertSingleViolation(c, "spark.network.crypto.enabled must be false");
  }

  @Test
  void anUnverifiedSparkVersionIsRefusedUnlessAllowed() {
    List<String> v = ProtectionCheck.violations("4.3.0", protectedConf());
    assertEquals(1, v.size(), v.toString());
    assertTrue(v.get(0).startsWith("Spark 4.3.0 is not a version mutual TLS has been verified with"), v.get(0));
    Map<String, String> c = protectedConf();
    c.put(ProtectionCheck.ALLOW_UNVERIFIED_SPARK, "true");
    assertEquals(List.of(), ProtectionCheck.violations("4.3.0", c));
  }
}
