package io.ppml.kbs.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Verifies an audit log file written by {@link AuditLog}: sequence numbers 1, 2, 3, ... and the hash chain. */
public final class AuditChain {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private AuditChain() {}

  /**
   * The outcome of a verification.
   *
   * @param records how many records verified before the first bad one (all of them when {@link #ok})
   * @param firstBadSeq the sequence number at which the chain first breaks (the position a correct log would
   *     have there), or -1 when intact
   * @param problem what is wrong there, or null
   * @param headHash the hash of the last good record (compare with a head recorded elsewhere to detect
   *     truncation of the tail, which a chain alone cannot show)
   */
  public record Result(long records, long firstBadSeq, String problem, String headHash) {
    public boolean ok() {
      return firstBadSeq < 0;
    }
  }

  public static Result verify(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String previous = AuditLog.ZERO_HASH;
    long expected = 1;
    for (String line : lines) {
      ObjectNode record;
      try {
        JsonNode node = JSON.readTree(line);
        if (!(node instanceof ObjectNode o)) {
          return bad(expected, "line is not a JSON object", previous);
        }
        record = o;
      } catch (IOException e) {
        return bad(expected, "line is not JSON", previous);
      }
      JsonNode seq = record.get("seq");
      if (seq == null || !seq.canConvertToLong() || seq.asLong() != expected) {
        return bad(expected, "expected sequence number " + expected + ", found " + (seq == null ? "none" : seq),
            previous);
      }
      JsonNode hash = record.remove("hash");
      if (hash == null || !HASH.matcher(hash.asText()).matches()) {
        return bad(expected, "record has no hash", previous);
      }
      String computed;
      try {
        computed = AuditLog.chainHash(previous, record);
      } catch (IllegalArgumentException e) {
        return bad(expected, "record holds a value that cannot be canonicalized", previous);
      }
      if (!computed.equals(hash.asText())) {
        return bad(expected, "hash does not match the record and its predecessor", previous);
      }
      previous = computed;
      expected++;
    }
    return new Result(expected - 1, -1, null, previous);
  }

  private static Result bad(long seq, String problem, String previous) {
    return new Result(seq - 1, seq, problem, previous);
  }
}
