package io.ppml.kbs.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which attested workloads may use which primary keys and resources for which operations. Immutable;
 * default deny: a request is allowed only by a rule that names one of the workload identities the token's
 * measurements match, the operation, and the key or resource. Format (YAML or JSON) in {@code docs/kbs.md}:
 *
 * <pre>
 * workloads:                 # named identities, matched against the attested measurements
 *   etl:
 *     mrtd: [hex, ...]       # required; ["*"] for any
 *     rtmr0: [hex, ...]      # rtmr0-3, mrconfigid optional; absent means not constrained
 *     simulated: false       # true only for development identities; simulated evidence matches nothing else
 * rules:
 *   - name: etl-keys
 *     workloads: [etl]
 *     operations: [generate, wrap, unwrap, rewrap, derive]
 *     keys: [customers, "sales-*"]        # a trailing * matches a name prefix
 *   - name: etl-secrets
 *     workloads: [etl]
 *     operations: [resource]
 *     resources: ["spark/secret/authenticate"]
 *   - name: etl-certs
 *     workloads: [etl]
 *     operations: [certificate]
 * </pre>
 */
final class ResourcePolicy {
  /** Operations a rule can allow. */
  enum Operation {
    GENERATE, WRAP, UNWRAP, REWRAP, DERIVE, RESOURCE, CERTIFICATE;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The rule name recorded when no rule allowed a request. */
  static final String DEFAULT_DENY = "default-deny";

  /** The outcome: allowed by {@code rule} as {@code workload}, or denied ({@code rule} = default-deny). */
  record Decision(boolean allowed, String rule, String workload) {}

  private static final Pattern HEX48 = Pattern.compile("[0-9a-f]{96}");
  private static final List<String> MEASUREMENTS = List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid");
  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private record Workload(String name, Map<String, Set<String>> measurements, boolean simulated) {
    boolean matches(AttestedWorkload w) {
      if (w.simulated() && !simulated) {
        return false;
      }
      return allows("mrtd", w.mrTd()) && allows("rtmr0", w.rtmrs().get(0)) && allows("rtmr1", w.rtmrs().get(1))
          && allows("rtmr2", w.rtmrs().get(2)) && allows("rtmr3", w.rtmrs().get(3))
          && allows("mrconfigid", w.mrConfigId());
    }

    private boolean allows(String field, String value) {
      Set<String> allowed = measurements.get(field);
      return allowed == null || allowed.contains("*")
          || (value != null && allowed.contains(value.toLowerCase(Locale.ROOT)));
    }
  }

  private record Rule(String name, Set<String> workloads, Set<Operation> operations, List<String> targets) {
    boolean covers(String target) {
      for (String t : targets) {
        if (t.endsWith("*") ? target.startsWith(t.substring(0, t.length() - 1)) : target.equals(t)) {
          return true;
        }
      }
      return false;
    }
  }

  private final String source;
  private final Map<String, Workload> workloads;
  private final List<Rule> rules;

  private ResourcePolicy(String source, Map<String, Workload> workloads, List<Rule> rules) {
    this.source = source;
    this.workloads = workloads;
    this.rules = rules;
  }

  static ResourcePolicy denyAll() {
    return new ResourcePolicy("deny-all default", Map.of(), List.of());
  }

  /**
   * Parses a policy document (YAML, or JSON when it starts with '{').
   *
   * @throws IllegalArgumentException naming the entry that is unknown or malformed
   */
  static ResourcePolicy parse(String text, String source) {
    JsonNode root;
    try {
      root = (text.stripLeading().startsWith("{") ? JSON : YAML).readTree(text);
    } catch (JacksonException e) {
      throw bad(source, "not valid YAML or JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw bad(source, "expected a mapping with 'workloads' and 'rules'");
    }
    only(root, source, "document", "workloads", "rules");
    Map<String, Workload> workloads = new LinkedHashMap<>();
    JsonNode ws = root.path("workloads");
    if (!ws.isMissingNode() && !ws.isObject()) {
      throw bad(source, "'workloads' must be a mapping of names to measurements");
    }
    for (Map.Entry<String, JsonNode> e : ws.properties()) {
      workloads.put(e.getKey(), workload(e.getKey(), e.getValue(), source));
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode rs = root.path("rules");
    if (!rs.isMissingNode() && !rs.isArray()) {
      throw bad(source, "'rules' must be a list");
    }
    for (JsonNode r : rs) {
      rules.add(rule(r, workloads, source, rules.size()));
    }
    return new ResourcePolicy(source, Map.copyOf(workloads), List.copyOf(rules));
  }

  /** Decides whether {@code w} may perform {@code op} on {@code target} (key name, resource path or ""). */
  Decision decide(AttestedWorkload w, Operation op, String target) {
    for (Rule r : rules) {
      if (!r.operations().contains(op) || (op != Operation.CERTIFICATE && !r.covers(target))) {
        continue;
      }
      for (String name : r.workloads()) {
        if (workloads.get(name).matches(w)) {
          return new Decision(true, r.name(), name);
        }
      }
    }
    return new Decision(false, DEFAULT_DENY, null);
  }

  /** The first workload identity the measurements match, for certificate subjects; null if none. */
  String identityOf(AttestedWorkload w) {
    for (Workload wl : workloads.values()) {
      if (wl.matches(w)) {
        return wl.name();
      }
    }
    return null;
  }

  String source() {
    return source;
  }

  private static Workload workload(String name, JsonNode node, String source) {
    if (!node.isObject()) {
      throw bad(source, "workload '" + name + "' must be a mapping");
    }
    List<String> allowed = new ArrayList<>(MEASUREMENTS);
    allowed.add("simulated");
    only(node, source, "workload '" + name + "'", allowed.toArray(String[]::new));
    if (!node.has("mrtd")) {
      throw bad(source, "workload '" + name + "' must list mrtd (write [\"*\"] to accept any)");
    }
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (String field : MEASUREMENTS) {
      JsonNode values = node.get(field);
      if (values == null) {
        continue;
      }
      if (!values.isArray() || values.isEmpty()) {
        throw bad(source, "workload '" + name + "' " + field + " must be a non-empty list");
      }
      Set<String> set = new LinkedHashSet<>();
      for (JsonNode v : values) {
        String s = v.asText().trim().toLowerCase(Locale.ROOT);
        if (!v.isTextual() || !(s.equals("*") || HEX48.matcher(s).matches())) {
          throw bad(source, "workload '" + name + "' " + field + " entry is not 48 bytes of hex or \"*\"");
        }
        set.add(s);
      }
      m.put(field, Set.copyOf(set));
    }
    JsonNode sim = node.get("simulated");
    if (sim != null && !sim.isBoolean()) {
      throw bad(source, "workload '" + name + "' simulated must be true or false");
    }
    return new Workload(name, m, sim != null && sim.booleanValue());
  }

  private static Rule rule(JsonNode r, Map<String, Workload> workloads, String source, int index) {
    String where = "rule " + (index + 1);
    if (!r.isObject()) {
      throw bad(source, where + " must be a mapping");
    }
    only(r, source, where, "name", "workloads", "operations", "keys", "resources");
    String name = r.path("name").asText("");
    if (name.isEmpty()) {
      throw bad(source, where + " needs a name");
    }
    where = "rule '" + name + "'";
    Set<String> wl = new LinkedHashSet<>(strings(r.get("workloads"), source, where + " workloads"));
    for (String w : wl) {
      if (!workloads.containsKey(w)) {
        throw bad(source, where + " names undefined workload '" + w + "'");
      }
    }
    Set<Operation> ops = new LinkedHashSet<>();
    for (String op : strings(r.get("operations"), source, where + " operations")) {
      try {
        ops.add(Operation.valueOf(op.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw bad(source, where + " has unknown operation '" + op + "'");
      }
    }
    boolean keyOps = ops.stream().anyMatch(o -> o != Operation.RESOURCE && o != Operation.CERTIFICATE);
    if (keyOps && ops.contains(Operation.RESOURCE)) {
      throw bad(source, where + " mixes key operations and 'resource'; write two rules");
    }
    List<String> targets = List.of();
    if (keyOps) {
      targets = strings(r.get("keys"), source, where + " keys");
    } else if (ops.contains(Operation.RESOURCE)) {
      targets = strings(r.get("resources"), source, where + " resources");
    }
    for (String t : targets) {
      if (t.isBlank()) {
        throw bad(source, where + " has an empty target");
      }
    }
    return new Rule(name, Set.copyOf(wl), Set.copyOf(ops), List.copyOf(targets));
  }

  private static List<String> strings(JsonNode node, String source, String what) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw bad(source, what + " must be a non-empty list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        throw bad(source, what + " entries must be strings");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static void only(JsonNode node, String source, String where, String... keys) {
    Set<String> known = Set.of(keys);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw bad(source, where + " has unknown key '" + k + "'");
      }
    }
  }

  private static IllegalArgumentException bad(String source, String problem) {
    return new IllegalArgumentException("resource policy " + source + ": " + problem);
  }
}
