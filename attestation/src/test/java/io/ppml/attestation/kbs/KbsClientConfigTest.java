package io.ppml.attestation.kbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.evidence.ConfigFsTsmProvider;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KbsClientConfigTest {
  @TempDir Path dir;

  @Test
  void readsSparkStyleSettings() throws Exception {
    KbsClientConfig c = KbsClientConfig.from(Map.of(KbsClientConfig.URL, "https://kbs:8443",
        KbsClientConfig.CA, "/etc/ca.pem"));
    assertEquals(URI.create("https://kbs:8443"), c.url());
    assertEquals("tdx", c.tee());
    assertTrue(c.evidenceProvider() instanceof ConfigFsTsmProvider);
  }

  @Test
  void refusesWhatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> KbsClientConfig.from(Map.of(KbsClientConfig.URL,
        "http://kbs:8443", KbsClientConfig.CA, "ca.pem")));
    assertThrows(IllegalArgumentException.class, () -> KbsClientConfig.from(Map.of(KbsClientConfig.URL,
        "https://kbs", KbsClientConfig.CA, "ca.pem", KbsClientConfig.TEE, "sgx")));
    assertThrows(IllegalArgumentException.class, () -> KbsClientConfig.from(Map.of(KbsClientConfig.URL,
        "https://kbs", KbsClientConfig.CA, "ca.pem", KbsClientConfig.TEE, "simulated")));
    assertThrows(IllegalArgumentException.class, () -> KbsClientConfig.from(Map.of(KbsClientConfig.URL,
        "https://kbs")));
  }

  @Test
  void aMissingSimulatedPlatformIsANamedError() {
    KbsClientConfig c = new KbsClientConfig(URI.create("https://kbs"), dir.resolve("ca.pem"), "simulated",
        dir.resolve("nothing"), null, null);
    PpmlException e = assertThrows(PpmlException.class, c::evidenceProvider);
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    PpmlException noCa = assertThrows(PpmlException.class, c::newClient);
    assertEquals(ErrorCode.INVALID_ARGUMENT, noCa.code());
  }
}
