package io.ppml.cli.kbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.cli.PpmlCommand;
import io.ppml.kbs.server.AuditLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
  @TempDir Path dir;

  @Test
  void verifyExitsZeroOnAnIntactLogAndOneNamingTheFirstBadRecord() throws Exception {
    Path log = dir.resolve("audit.log");
    try (AuditLog a = AuditLog.open(log, Clock.systemUTC())) {
      for (int i = 0; i < 5; i++) {
        a.append(new AuditLog.Event("unwrap", "token:t", "allow", "rule", "k"));
      }
    }
    assertEquals(0, PpmlCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        "audit", "verify", log.toString()));
    List<String> lines = Files.readAllLines(log);
    lines.remove(2);
    Files.write(log, lines);
    assertEquals(1, PpmlCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        "audit", "verify", log.toString()));
  }

  @Test
  void backupAndRestoreRefuseMissingOrOccupiedState() throws Exception {
    StringWriter err = new StringWriter();
    assertEquals(1, PpmlCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
        "kbs", "backup", "--state", dir.resolve("none").toString(), "--out", dir.resolve("b.json").toString()));
    assertTrue(err.toString().contains("no key store"), err.toString());
  }
}
