package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash chain detects each kind of tampering and names the first bad sequence number. */
class AuditLogTest {
  @TempDir Path dir;
  Path file;
  List<String> lines;

  @BeforeEach
  void tenRecords() throws Exception {
    file = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(file, Clock.systemUTC())) {
      for (int i = 1; i <= 10; i++) {
        log.append(new AuditLog.Event("unwrap", "token:t" + i, i % 3 == 0 ? "deny" : "allow",
            i % 3 == 0 ? "default-deny" : "etl-keys", "customers"));
      }
    }
    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(10, lines.size());
    AuditChain.Result ok = AuditChain.verify(file);
    assertTrue(ok.ok());
    assertEquals(10, ok.records());
  }

  private long firstBad(List<String> tampered) throws Exception {
    Files.write(file, tampered, StandardCharsets.UTF_8);
    AuditChain.Result r = AuditChain.verify(file);
    return r.firstBadSeq();
  }

  @Test
  void editedRecord() throws Exception {
    List<String> t = new ArrayList<>(lines);
    t.set(4, t.get(4).replace("\"allow\"", "\"deny\""));
    assertEquals(5, firstBad(t));
  }

  @Test
  void editedRecordWithRecomputedOwnHashBreaksTheNext() throws Exception {
    List<String> t = new ArrayList<>(lines);
    // An attacker who recomputes only the edited record's hash still breaks its successor's link.
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var rec = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(t.get(4));
    String prev = json.readTree(t.get(3)).path("hash").asText();
    rec.remove("hash");
    rec.put("decision", "deny");
    rec.put("hash", AuditLog.chainHash(prev, rec));
    t.set(4, rec.toString());
    assertEquals(6, firstBad(t));
  }

  @Test
  void insertedRecord() throws Exception {
    List<String> t = new ArrayList<>(lines);
    t.add(3, t.get(2));
    assertEquals(4, firstBad(t));
  }

  @Test
  void deletedRecord() throws Exception {
    List<String> t = new ArrayList<>(lines);
    t.remove(6);
    assertEquals(7, firstBad(t));
  }

  @Test
  void reorderedRecords() throws Exception {
    List<String> t = new ArrayList<>(lines);
    Collections.swap(t, 7, 8);
    assertEquals(8, firstBad(t));
  }

  @Test
  void reopeningContinuesTheChainAndCutsATornLine() throws Exception {
    Files.writeString(file, "{\"seq\":11,\"ti", java.nio.file.StandardOpenOption.APPEND);
    try (AuditLog log = AuditLog.open(file, Clock.systemUTC())) {
      assertEquals(11, log.append(new AuditLog.Event("startup", "kbs", "info", null, null)));
    }
    AuditChain.Result r = AuditChain.verify(file);
    assertTrue(r.ok(), r.problem());
    assertEquals(11, r.records());
  }

  @Test
  void concurrentAppendersShareFsyncsAndKeepTheChain() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (AuditLog log = AuditLog.open(file, Clock.systemUTC())) {
      for (int i = 0; i < 400; i++) {
        pool.submit(() -> {
          log.append(new AuditLog.Event("generate", "token:x", "allow", "r", "k"));
          return null;
        });
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }
    AuditChain.Result r = AuditChain.verify(file);
    assertTrue(r.ok(), r.problem());
    assertEquals(410, r.records());
  }
}
