package io.ppml.kbs.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.attestation.kbs.Jcs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The broker's append-only, hash-chained audit log: one JSON object per line,
 * {@code {"seq", "time", "event", "subject", "decision", "rule", "target", "hash"}} where
 * {@code hash = hex(SHA-256(previous record's hash bytes || JCS(this record without "hash")))} and the first
 * record's previous hash is 32 zero bytes. Editing, inserting, deleting or reordering a record breaks the
 * chain at the first affected sequence number ({@link AuditChain#verify}).
 *
 * <p>Durability: a record is written and fsynced before {@link #append} returns, so every decision a client
 * saw is on disk. Concurrent appenders share one fsync (group commit): a caller whose record was covered by
 * another caller's fsync returns without its own. A record torn by a crash (no final newline) was never
 * acknowledged; opening the log cuts it off.
 */
public final class AuditLog implements AutoCloseable {
  static final String ZERO_HASH = "0".repeat(64);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final Clock clock;
  private final Object syncLock = new Object();
  private final MessageDigest digest = sha256(); // used under this object's lock
  private long seq;
  private String lastHash;
  private long writtenSeq;
  private long syncedSeq;

  private AuditLog(Path file, FileChannel channel, Clock clock, long seq, String lastHash) {
    this.file = file;
    this.channel = channel;
    this.clock = clock;
    this.seq = seq;
    this.lastHash = lastHash;
    this.writtenSeq = seq;
    this.syncedSeq = seq;
  }

  /** Opens (creating owner-only if absent) the log, cutting off a torn last line, and continues its chain. */
  public static AuditLog open(Path file, Clock clock) throws IOException {
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
    try {
      byte[] all = Files.readAllBytes(file);
      int end = all.length;
      while (end > 0 && all[end - 1] != '\n') {
        end--;
      }
      if (end != all.length) {
        ch.truncate(end);
        ch.force(true);
      }
      long seq = 0;
      String hash = ZERO_HASH;
      if (end > 0) {
        int start = end - 1;
        while (start > 0 && all[start - 1] != '\n') {
          start--;
        }
        JsonNode last = JSON.readTree(new String(all, start, end - start, StandardCharsets.UTF_8));
        seq = last.path("seq").asLong();
        hash = last.path("hash").asText();
      }
      ch.position(end);
      return new AuditLog(file, ch, clock, seq, hash);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** One audit event; {@code rule} and {@code target} may be null. */
  public record Event(String event, String subject, String decision, String rule, String target) {}

  /** Appends {@code e} durably and returns its sequence number. */
  public long append(Event e) throws IOException {
    long mine;
    synchronized (this) {
      ObjectNode record = JSON.createObjectNode();
      record.put("seq", seq + 1);
      record.put("time", clock.instant().toString());
      record.put("event", e.event());
      record.put("subject", e.subject());
      record.put("decision", e.decision());
      if (e.rule() != null) {
        record.put("rule", e.rule());
      }
      if (e.target() != null) {
        record.put("target", e.target());
      }
      String hash = chainHash(digest, lastHash, record);
      record.put("hash", hash);
      ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        channel.write(line);
      }
      seq++;
      lastHash = hash;
      writtenSeq = seq;
      mine = seq;
    }
    synchronized (syncLock) {
      if (syncedSeq < mine) {
        long upTo;
        synchronized (this) {
          upTo = writtenSeq;
        }
        channel.force(false);
        syncedSeq = upTo;
      }
    }
    return mine;
  }

  /** Records with sequence numbers from {@code fromSeq} on, at most {@code limit}, as stored. */
  public List<JsonNode> read(long fromSeq, int limit) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (out.size() >= limit) {
        break;
      }
      if (line.isEmpty()) {
        continue;
      }
      JsonNode r = JSON.readTree(line);
      if (r.path("seq").asLong() >= fromSeq) {
        out.add(r);
      }
    }
    return out;
  }

  /** The sequence number and hash of the newest record, for anchoring the chain elsewhere. */
  public synchronized Map<String, Object> head() {
    return Map.of("seq", seq, "hash", lastHash);
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** hex(SHA-256(previousHash bytes || JCS(record without "hash"))). */
  static String chainHash(String previousHash, ObjectNode recordWithoutHash) {
    return chainHash(sha256(), previousHash, recordWithoutHash);
  }

  private static String chainHash(MessageDigest sha, String previousHash, ObjectNode recordWithoutHash) {
    sha.reset();
    sha.update(HexFormat.of().parseHex(previousHash));
    sha.update(Jcs.canonicalBytes(recordWithoutHash));
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
    }
  }
}
