package io.ppml.attestation.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * RFC 8785 JSON Canonicalization Scheme for the JSON the key broker protocol hashes: objects, arrays,
 * strings, booleans, null and integers. Object members are sorted by the UTF-16 code units of their names
 * ({@link String#compareTo} order), no insignificant whitespace, strings escaped exactly as RFC 8785 section
 * 3.2.2.2 requires (only {@code "}, {@code \} and control characters; backslash-b, -t, -n, -f, -r short forms,
 * other controls as lowercase {@code \\u00xx} escapes), everything else as UTF-8.
 *
 * <p>Numbers other than integers in the IEEE-754 safe range are rejected rather than approximated: the
 * protocol's runtime data never carries them, and a canonical form that differs from a peer's would break
 * the REPORTDATA binding silently.
 */
public final class Jcs {
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private Jcs() {}

  /** The canonical UTF-8 bytes of {@code node}. */
  public static byte[] canonicalBytes(JsonNode node) {
    return canonicalize(node).getBytes(StandardCharsets.UTF_8);
  }

  /** The canonical text of {@code node}. */
  public static String canonicalize(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString();
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          names.add(it.next());
        }
        names.sort(null);
        out.append('{');
        for (int i = 0; i < names.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          string(names.get(i), out);
          out.append(':');
          write(node.get(names.get(i)), out);
        }
        out.append('}');
      }
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> string(node.textValue(), out);
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL -> out.append("null");
      case NUMBER -> {
        if (!node.isIntegralNumber() || !node.canConvertToLong()
            || Math.abs(node.longValue()) > MAX_SAFE_INTEGER) {
          throw new IllegalArgumentException("only integers within +/-2^53 can be canonicalized, got " + node);
        }
        out.append(node.longValue());
      }
      default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
