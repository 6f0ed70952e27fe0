package io.ppml.attestation.kbs;

import io.ppml.attestation.EvidenceProvider;
import io.ppml.attestation.evidence.ConfigFsTsmProvider;
import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How a workload reaches the key broker, parsed once from key/value settings (Spark conf, CLI flags) and
 * serializable to executors. Keys (Spark spelling; the CLI flags {@code --kbs}, {@code --kbs-ca},
 * {@code --tee}, {@code --tee-state}, {@code --kbs-admin-key} map to them):
 * <ul>
 *   <li>{@value #URL}: {@code https://host:port} of the broker (required)</li>
 *   <li>{@value #CA}: PEM file of the CA the broker's TLS certificate chains to (required)</li>
 *   <li>{@value #TEE}: {@code tdx} (configfs-tsm quotes) or {@code simulated} (DEVELOPMENT ONLY)</li>
 *   <li>{@value #SIMULATED_STATE}: directory holding the simulated platform ({@code <kbs state>/simulated})</li>
 *   <li>{@value #ADMIN_KEY} and {@value #ADMIN_NAME}: optional admin credential for key creation</li>
 * </ul>
 */
public record KbsClientConfig(URI url, Path ca, String tee, Path simulatedState, Path adminKey, String adminName)
    implements Serializable {
  public static final String URL = "spark.ppml.kbs.url";
  public static final String CA = "spark.ppml.kbs.ca";
  public static final String TEE = "spark.ppml.tee";
  public static final String SIMULATED_STATE = "spark.ppml.tee.simulated.state";
  public static final String ADMIN_KEY = "spark.ppml.kbs.admin.key";
  public static final String ADMIN_NAME = "spark.ppml.kbs.admin.name";
  public static final String TEE_TDX = "tdx";
  public static final String TEE_SIMULATED = "simulated";

  public KbsClientConfig {
    if (url == null || !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException(URL + " must be an https:// URL, got " + url);
    }
    if (ca == null) {
      throw new IllegalArgumentException(CA + " (CA certificate PEM of the KBS) is required");
    }
    tee = tee == null ? TEE_TDX : tee.toLowerCase(Locale.ROOT);
    if (!tee.equals(TEE_TDX) && !tee.equals(TEE_SIMULATED)) {
      throw new IllegalArgumentException(TEE + " must be tdx or simulated, got " + tee);
    }
    if (tee.equals(TEE_SIMULATED) && simulatedState == null) {
      throw new IllegalArgumentException(TEE + "=simulated needs " + SIMULATED_STATE);
    }
  }

  /** Reads the settings above from a map (e.g. Spark conf entries). */
  public static KbsClientConfig from(Map<String, String> settings) {
    String url = settings.get(URL);
    String ca = settings.get(CA);
    if (url == null || ca == null) {
      throw new IllegalArgumentException(URL + " and " + CA + " are required");
    }
    String state = settings.get(SIMULATED_STATE);
    String admin = settings.get(ADMIN_KEY);
    return new KbsClientConfig(URI.create(url), Path.of(ca), settings.get(TEE),
        state == null ? null : Path.of(state), admin == null ? null : Path.of(admin),
        settings.getOrDefault(ADMIN_NAME, "admin"));
  }

  /** The evidence provider the TEE setting names. */
  public EvidenceProvider evidenceProvider() throws PpmlException {
    if (tee.equals(TEE_TDX)) {
      return new ConfigFsTsmProvider();
    }
    try {
      return SimulatedTdx.load(simulatedState);
    } catch (IOException e) {
      throw new KmsException(ErrorCode.INVALID_ARGUMENT, "cannot load the simulated TDX platform from "
          + simulatedState + ": " + e.getMessage(), e);
    }
  }

  /** A new client for these settings. */
  public KbsClient newClient() throws PpmlException {
    try {
      KbsClient.Builder b = KbsClient.builder().url(url).caPem(ca).evidence(evidenceProvider());
      if (adminKey != null) {
        b.admin(AdminCredential.load(adminName, adminKey));
      }
      return b.build();
    } catch (IOException e) {
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.INVALID_ARGUMENT, "KBS client configuration: " + e.getMessage(), e);
    }
  }
}
