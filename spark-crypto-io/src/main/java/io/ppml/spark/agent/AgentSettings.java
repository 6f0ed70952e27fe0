package io.ppml.spark.agent;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.spark.agent.AgentFailure.Step;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the agent needs, read from the environment of the JVM (none of it secret; key material is fetched, never
 * configured):
 * <ul>
 *   <li>{@value #KBS_URL}: https URL of the key broker (required);</li>
 *   <li>{@value #KBS_CA}: PEM file of the CA the broker's TLS certificate chains to (required);</li>
 *   <li>{@value #TEE}: {@code tdx} (default; quotes from configfs-tsm) or {@code simulated} (development only,
 *       refused by every default policy) with {@value #TEE_STATE}: the simulated platform's directory;</li>
 *   <li>{@value #KEY_DIR}: where the JVM creates its private directory (0700, removed at exit) for the little
 *       the agent must hand to Spark as files; memory-backed in a pod; default: /dev/shm, else the temporary
 *       directory;</li>
 *   <li>{@value #AUTH_SECRET}: optional {@code repository/type/tag} of the key broker resource holding the
 *       application's {@code spark.authenticate} secret.</li>
 * </ul>
 */
public record AgentSettings(URI kbsUrl, Path kbsCa, String tee, Path teeState, Path keyDir, String authSecret) {
  public static final String KBS_URL = "PPML_KBS_URL";
  public static final String KBS_CA = "PPML_KBS_CA";
  public static final String TEE = "PPML_TEE";
  public static final String TEE_STATE = "PPML_TEE_STATE";
  public static final String KEY_DIR = "PPML_KEY_DIR";
  public static final String AUTH_SECRET = "PPML_SPARK_AUTH_SECRET";

  /** Reads the settings from {@code env} (normally {@link System#getenv()}). */
  public static AgentSettings fromEnvironment(Map<String, String> env) throws AgentFailure {
    String url = env.get(KBS_URL);
    String ca = env.get(KBS_CA);
    if (url == null || url.isBlank() || ca == null || ca.isBlank()) {
      throw new AgentFailure(Step.CONFIGURATION, KBS_URL + " and " + KBS_CA + " must be set", null);
    }
    String secret = env.get(AUTH_SECRET);
    if (secret != null && !secret.matches("[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+")) {
      throw new AgentFailure(Step.CONFIGURATION, AUTH_SECRET + " must be repository/type/tag", null);
    }
    try {
      return new AgentSettings(URI.create(url), Path.of(ca), env.getOrDefault(TEE, KbsClientConfig.TEE_TDX),
          pathOrNull(env.get(TEE_STATE)), pathOrNull(env.get(KEY_DIR)), secret);
    } catch (IllegalArgumentException e) {
      throw new AgentFailure(Step.CONFIGURATION, e.getMessage(), e);
    }
  }

  /** The key broker client settings these amount to. */
  public KbsClientConfig clientConfig() throws AgentFailure {
    try {
      return new KbsClientConfig(kbsUrl, kbsCa, tee, teeState, null, null);
    } catch (IllegalArgumentException e) {
      throw new AgentFailure(Step.CONFIGURATION, e.getMessage()
          .replace(KbsClientConfig.URL, KBS_URL).replace(KbsClientConfig.CA, KBS_CA)
          .replace(KbsClientConfig.SIMULATED_STATE, TEE_STATE).replace(KbsClientConfig.TEE, TEE), e);
    }
  }

  /** The environment variables that reproduce these settings (for executors started by this driver). */
  public Map<String, String> toEnvironment() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put(KBS_URL, kbsUrl.toString());
    env.put(KBS_CA, kbsCa.toString());
    env.put(TEE, tee);
    if (teeState != null) {
      env.put(TEE_STATE, teeState.toString());
    }
    if (keyDir != null) {
      env.put(KEY_DIR, keyDir.toString());
    }
    if (authSecret != null) {
      env.put(AUTH_SECRET, authSecret);
    }
    return env;
  }

  private static Path pathOrNull(String s) {
    return s == null || s.isBlank() ? null : Path.of(s);
  }
}
