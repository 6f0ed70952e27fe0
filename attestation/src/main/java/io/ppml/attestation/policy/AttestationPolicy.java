package io.ppml.attestation.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.TcbStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tenant's attestation policy: which verified TDX evidence may receive keys. Immutable; loaded once from a
 * YAML or JSON file (format in {@code docs/attestation-policy.md}) and applied to the claims a verifier
 * produced. Verification (did Intel sign this) is not done here; this class only decides whether verified
 * claims are acceptable.
 *
 * <p>Default deny: a measurement rule that is absent allows no value; {@code "*"} must be written to allow
 * any value. Unknown keys, duplicate keys and malformed values make the file fail to load, never make a rule
 * more permissive. {@link #evaluate} reports every failed rule, each with the expected and the actual value.
 */
public final class AttestationPolicy {

  public static final String MRTD = "mrtd";
  public static final String RTMR0 = "rtmr0";
  public static final String RTMR1 = "rtmr1";
  public static final String RTMR2 = "rtmr2";
  public static final String RTMR3 = "rtmr3";
  public static final String MRCONFIGID = "mrconfigid";
  public static final String MROWNER = "mrowner";
  public static final String ALLOW_DEBUG = "allowDebug";
  public static final String MINIMUM_TCB_STATUS = "minimumTcbStatus";
  public static final String ACCEPTED_ADVISORY_IDS = "acceptedAdvisoryIds";
  public static final String ALLOW_SIMULATED = "allowSimulated";
  /** Rule name of the REPORTDATA binding passed to {@link #evaluate}; not a file key. */
  public static final String REPORT_DATA = "reportData";

  /** Allows any value of a measurement; must be the only entry of its list. */
  public static final String WILDCARD = "*";

  static final String NOTHING_ALLOWED = "no allowed values configured";
  private static final List<String> RTMR_KEYS = List.of(RTMR0, RTMR1, RTMR2, RTMR3);
  private static final List<String> MEASUREMENT_KEYS =
      List.of(MRTD, RTMR0, RTMR1, RTMR2, RTMR3, MRCONFIGID, MROWNER);
  private static final Set<String> KNOWN_KEYS;

  static {
    Set<String> keys = new LinkedHashSet<>(MEASUREMENT_KEYS);
    keys.addAll(List.of(ALLOW_DEBUG, MINIMUM_TCB_STATUS, ACCEPTED_ADVISORY_IDS, ALLOW_SIMULATED));
    KNOWN_KEYS = Set.copyOf(keys);
  }

  private static final int MEASUREMENT_BYTES = 48;
  private static final int REPORT_DATA_BYTES = 64;
  private static final Pattern MEASUREMENT_HEX = Pattern.compile("[0-9a-f]{" + 2 * MEASUREMENT_BYTES + "}");

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final String source;
  private final Map<String, AllowList> measurements;
  private final boolean allowDebug;
  private final TcbStatus minimumTcbStatus;
  private final Set<String> acceptedAdvisoryIds;
  private final boolean allowSimulated;

  private AttestationPolicy(String source, Map<String, AllowList> measurements, boolean allowDebug,
      TcbStatus minimumTcbStatus, Set<String> acceptedAdvisoryIds, boolean allowSimulated) {
    this.source = source;
    this.measurements = measurements;
    this.allowDebug = allowDebug;
    this.minimumTcbStatus = minimumTcbStatus;
    this.acceptedAdvisoryIds = acceptedAdvisoryIds;
    this.allowSimulated = allowSimulated;
  }

  /** The policy that accepts nothing: every measurement rule fails with "no allowed values configured". */
  public static AttestationPolicy denyAll() {
    try {
      return parse("{}", "deny-all default");
    } catch (InvalidPolicyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a policy file (YAML, or JSON when the document starts with '{'). */
  public static AttestationPolicy load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Parses a policy document.
   *
   * @param sourceName the file name or other origin, used in error messages
   * @throws InvalidPolicyException naming the key that is unknown, duplicated or malformed
   */
  public static AttestationPolicy parse(String text, String sourceName) throws InvalidPolicyException {
    JsonNode root = readTree(text, sourceName);
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new InvalidPolicyException(sourceName, null, "empty document (write {} for a deny-all policy)");
    }
    if (!root.isObject()) {
      throw new InvalidPolicyException(sourceName, null, "expected a mapping of rule names to values");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KNOWN_KEYS.contains(name)) {
        throw new InvalidPolicyException(sourceName, name,
            "unknown key (known keys: " + String.join(", ", sortedKnownKeys()) + ")");
      }
    }
    Map<String, AllowList> measurements = new LinkedHashMap<>();
    for (String key : MEASUREMENT_KEYS) {
      measurements.put(key, allowList(root.get(key), sourceName, key));
    }
    return new AttestationPolicy(sourceName,
        Map.copyOf(measurements),
        bool(root.get(ALLOW_DEBUG), sourceName, ALLOW_DEBUG),
        tcbStatus(root.get(MINIMUM_TCB_STATUS), sourceName),
        advisoryIds(root.get(ACCEPTED_ADVISORY_IDS), sourceName),
        bool(root.get(ALLOW_SIMULATED), sourceName, ALLOW_SIMULATED));
  }

  /**
   * Applies every rule to verified claims.
   *
   * @param expectedReportData the 64-byte REPORTDATA the caller computed (for the key broker, the binding of
   *     its nonce and the TEE's public key); null when the caller checks the binding itself
   * @return every failed rule, in the order they are documented; accepted when none failed
   */
  public PolicyResult evaluate(AttestationClaims claims, byte[] expectedReportData) {
    if (expectedReportData != null && expectedReportData.length != REPORT_DATA_BYTES) {
      throw new IllegalArgumentException(
          "expected REPORTDATA must be " + REPORT_DATA_BYTES + " bytes, got " + expectedReportData.length);
    }
    List<PolicyFailure> failures = new ArrayList<>();
    if (claims.simulated() && !allowSimulated) {
      failures.add(new PolicyFailure(ALLOW_SIMULATED, "evidence rooted in Intel's SGX Root CA",
          "simulated TDX evidence"));
    }
    if (claims.debug() && !allowDebug) {
      failures.add(new PolicyFailure(ALLOW_DEBUG, "TDATTRIBUTES.DEBUG clear", "TDATTRIBUTES.DEBUG set"));
    }
    if (!tcbAcceptable(claims.tcbStatus())) {
      String expected = minimumTcbStatus == TcbStatus.UNKNOWN
          ? "any status except Revoked"
          : "at least " + minimumTcbStatus.pcsName();
      failures.add(new PolicyFailure(MINIMUM_TCB_STATUS, expected, claims.tcbStatus().pcsName()));
    }
    List<String> unaccepted = claims.advisoryIds().stream()
        .filter(id -> !acceptedAdvisoryIds.contains(id.toUpperCase(Locale.ROOT)))
        .toList();
    if (!unaccepted.isEmpty()) {
      String expected = acceptedAdvisoryIds.isEmpty()
          ? "no advisories" : "only " + String.join(", ", acceptedAdvisoryIds);
      failures.add(new PolicyFailure(ACCEPTED_ADVISORY_IDS, expected, String.join(", ", unaccepted)));
    }
    checkMeasurement(MRTD, claims.mrTd(), failures);
    for (int i = 0; i < 4; i++) {
      checkMeasurement(RTMR_KEYS.get(i), claims.rtmrs().get(i), failures);
    }
    checkMeasurement(MRCONFIGID, claims.mrConfigId(), failures);
    checkMeasurement(MROWNER, claims.mrOwner(), failures);
    if (expectedReportData != null) {
      String expected = HexFormat.of().formatHex(expectedReportData);
      String actual = lower(claims.reportData());
      if (!expected.equals(actual)) {
        failures.add(new PolicyFailure(REPORT_DATA, expected, actual));
      }
    }
    return new PolicyResult(failures);
  }

  /** Where the policy came from (file name), for log lines. */
  public String source() {
    return source;
  }

  /** True when simulated evidence may pass; whoever loads such a policy must say so loudly. */
  public boolean allowsSimulated() {
    return allowSimulated;
  }

  public boolean allowsDebug() {
    return allowDebug;
  }

  public TcbStatus minimumTcbStatus() {
    return minimumTcbStatus;
  }

  @Override
  public String toString() {
    return "AttestationPolicy[" + source + "]";
  }

  // Unknown is the bottom of the order: naming it as the minimum is the explicit way to accept evidence that
  // was verified without collateral. Revoked is never acceptable.
  private boolean tcbAcceptable(TcbStatus status) {
    if (minimumTcbStatus == TcbStatus.UNKNOWN) {
      return status != TcbStatus.REVOKED;
    }
    return status.atLeast(minimumTcbStatus);
  }

  private void checkMeasurement(String rule, String claimed, List<PolicyFailure> failures) {
    AllowList allowed = measurements.get(rule);
    String actual = lower(claimed);
    boolean wellFormed = MEASUREMENT_HEX.matcher(actual).matches();
    if (!wellFormed || !allowed.allows(actual)) {
      failures.add(new PolicyFailure(rule, allowed.describe(),
          wellFormed ? actual : actual + " (not " + MEASUREMENT_BYTES + " bytes of hex)"));
    }
  }

  private static String lower(String hex) {
    return hex == null ? "" : hex.toLowerCase(Locale.ROOT);
  }

  private static JsonNode readTree(String text, String sourceName) throws InvalidPolicyException {
    ObjectMapper mapper = text.stripLeading().startsWith("{") ? JSON : YAML;
    try {
      return mapper.readTree(text);
    } catch (JacksonException e) {
      String problem = e.getOriginalMessage();
      // Jackson names the duplicate as: Duplicate field 'NAME'
      String prefix = "Duplicate field '";
      if (problem != null && problem.startsWith(prefix) && problem.indexOf('\'', prefix.length()) > 0) {
        String key = problem.substring(prefix.length(), problem.indexOf('\'', prefix.length()));
        throw new InvalidPolicyException(sourceName, key, "duplicate key", e);
      }
      throw new InvalidPolicyException(sourceName, null, "not valid YAML or JSON: " + problem, e);
    } catch (IOException e) {
      throw new InvalidPolicyException(sourceName, null, "not readable: " + e.getMessage(), e);
    }
  }

  private static AllowList allowList(JsonNode node, String source, String key) throws InvalidPolicyException {
    if (node == null) {
      return AllowList.NONE;
    }
    if (!node.isArray()) {
      throw new InvalidPolicyException(source, key,
          "expected a list of 48-byte hex values, or [\"*\"] to allow any value");
    }
    Set<String> values = new LinkedHashSet<>();
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        throw new InvalidPolicyException(source, key, "every entry must be a quoted hex string");
      }
      String value = element.textValue().trim().toLowerCase(Locale.ROOT);
      if (!value.equals(WILDCARD) && !MEASUREMENT_HEX.matcher(value).matches()) {
        throw new InvalidPolicyException(source, key,
            "entry '" + element.textValue() + "' is not " + MEASUREMENT_BYTES + " bytes of hex");
      }
      values.add(value);
    }
    if (values.contains(WILDCARD)) {
      if (values.size() != 1) {
        throw new InvalidPolicyException(source, key, "'*' must be the only entry when present");
      }
      return AllowList.ANY;
    }
    return new AllowList(false, List.copyOf(values));
  }

  private static boolean bool(JsonNode node, String source, String key) throws InvalidPolicyException {
    if (node == null) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new InvalidPolicyException(source, key, "expected true or false");
    }
    return node.booleanValue();
  }

  private static TcbStatus tcbStatus(JsonNode node, String source) throws InvalidPolicyException {
    if (node == null) {
      return TcbStatus.UP_TO_DATE;
    }
    List<String> names = Arrays.stream(TcbStatus.values()).map(TcbStatus::pcsName).toList();
    if (node.isTextual()) {
      for (TcbStatus status : TcbStatus.values()) {
        if (status.pcsName().equals(node.textValue())) {
          if (status == TcbStatus.REVOKED) {
            break;
          }
          return status;
        }
      }
    }
    throw new InvalidPolicyException(source, MINIMUM_TCB_STATUS,
        "expected one of " + names.stream().filter(n -> !n.equals("Revoked")).toList());
  }

  private static Set<String> advisoryIds(JsonNode node, String source) throws InvalidPolicyException {
    if (node == null) {
      return Set.of();
    }
    if (!node.isArray()) {
      throw new InvalidPolicyException(source, ACCEPTED_ADVISORY_IDS,
          "expected a list of advisory ids such as INTEL-SA-00837");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (JsonNode element : node) {
      if (!element.isTextual() || element.textValue().isBlank()) {
        throw new InvalidPolicyException(source, ACCEPTED_ADVISORY_IDS,
            "every entry must be a non-empty string");
      }
      ids.add(element.textValue().trim().toUpperCase(Locale.ROOT));
    }
    return Collections.unmodifiableSet(ids);
  }

  private static List<String> sortedKnownKeys() {
    return KNOWN_KEYS.stream().sorted().toList();
  }

  /** The values one measurement rule allows. */
  private record AllowList(boolean any, List<String> values) {
    static final AllowList NONE = new AllowList(false, List.of());
    static final AllowList ANY = new AllowList(true, List.of());

    boolean allows(String value) {
      return any || values.contains(value);
    }

    String describe() {
      if (any) {
        return WILDCARD;
      }
      if (values.isEmpty()) {
        return NOTHING_ALLOWED;
      }
      return values.size() == 1 ? values.get(0) : "one of " + String.join(", ", values);
    }
  }
}
