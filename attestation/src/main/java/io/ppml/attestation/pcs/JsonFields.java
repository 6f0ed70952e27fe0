package io.ppml.attestation.pcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Typed, named reads of PCS JSON fields; every failure is {@link Reason#COLLATERAL_MALFORMED}. */
final class JsonFields {
  private final JsonNode node;
  private final String where;

  JsonFields(JsonNode node, String where) throws AttestationException {
    if (node == null || !node.isObject()) {
      throw malformed(where, "is not a JSON object");
    }
    this.node = node;
    this.where = where;
  }

  static AttestationException malformed(String where, String what) {
    return new AttestationException(Reason.COLLATERAL_MALFORMED, where + " " + what);
  }

  boolean has(String name) {
    return node.has(name) && !node.get(name).isNull();
  }

  JsonNode required(String name) throws AttestationException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw malformed(where, "lacks '" + name + "'");
    }
    return v;
  }

  String text(String name) throws AttestationException {
    JsonNode v = required(name);
    if (!v.isTextual()) {
      throw malformed(where, "field '" + name + "' is not a string");
    }
    return v.asText();
  }

  int integer(String name) throws AttestationException {
    JsonNode v = required(name);
    if (!v.isInt() || v.asInt() < 0) {
      throw malformed(where, "field '" + name + "' is not a non-negative integer");
    }
    return v.asInt();
  }

  byte[] hex(String name, int size) throws AttestationException {
    String s = text(name);
    if (s.length() != 2 * size) {
      throw malformed(where, "field '" + name + "' is not " + size + " bytes of hex");
    }
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw malformed(where, "field '" + name + "' is not hex");
    }
  }

  /** A hex field of {@code size} bytes, returned as lowercase hex. */
  String hexText(String name, int size) throws AttestationException {
    return HexFormat.of().formatHex(hex(name, size));
  }

  Instant instant(String name) throws AttestationException {
    try {
      return Instant.parse(text(name));
    } catch (DateTimeParseException e) {
      throw malformed(where, "field '" + name + "' is not an ISO-8601 instant");
    }
  }

  TcbStatus status(String name) throws AttestationException {
    String s = text(name);
    try {
      return TcbStatus.fromPcsName(s);
    } catch (IllegalArgumentException e) {
      throw malformed(where, "field '" + name + "' has unknown status '" + s + "'");
    }
  }

  List<JsonFields> objects(String name) throws AttestationException {
    JsonNode v = required(name);
    if (!v.isArray()) {
      throw malformed(where, "field '" + name + "' is not an array");
    }
    List<JsonFields> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      out.add(new JsonFields(v.get(i), where + "." + name + "[" + i + "]"));
    }
    return out;
  }

  /** Optional array of strings; absent means empty. */
  List<String> strings(String name) throws AttestationException {
    if (!has(name)) {
      return List.of();
    }
    JsonNode v = node.get(name);
    if (!v.isArray()) {
      throw malformed(where, "field '" + name + "' is not an array");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw malformed(where, "field '" + name + "' holds a non-string");
      }
      out.add(e.asText());
    }
    return List.copyOf(out);
  }

  JsonFields object(String name) throws AttestationException {
    return new JsonFields(required(name), where + "." + name);
  }

  /** The {@code svn} values of a 16-entry component array (sgxtcbcomponents / tdxtcbcomponents). */
  int[] svns(String name) throws AttestationException {
    List<JsonFields> components = objects(name);
    if (components.size() != 16) {
      throw malformed(where, "field '" + name + "' has " + components.size() + " components, expected 16");
    }
    int[] out = new int[16];
    for (int i = 0; i < 16; i++) {
      out[i] = components.get(i).integer("svn");
    }
    return out;
  }
}
