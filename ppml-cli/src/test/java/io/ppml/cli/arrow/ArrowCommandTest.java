package io.ppml.cli.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.cli.PpmlCommand;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.LocalKms;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArrowCommandTest {
  @TempDir static Path dir;
  private static Path home;
  private static Path file;

  /** An encrypted Arrow stream as EncryptedArrow writes it: two batches, 3 + 2 rows. */
  @BeforeAll
  static void writeFile() throws Exception {
    home = dir.resolve("home");
    file = dir.resolve("scores.arrow.ppml");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("exports");
      try (RootAllocator allocator = new RootAllocator();
           IntVector id = new IntVector("id", allocator);
           VarCharVector name = new VarCharVector("name", allocator);
           VectorSchemaRoot root = new VectorSchemaRoot(List.of(id, name));
           OutputStream out = SegmentedAeadWriter.open(Files.newOutputStream(file), kms, "exports",
               SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE, file.toString());
           ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        for (int rows : new int[] {3, 2}) {
          id.allocateNew(rows);
          name.allocateNew(rows);
          for (int i = 0; i < rows; i++) {
            id.set(i, i);
            name.setSafe(i, ("secret-" + i).getBytes(StandardCharsets.UTF_8));
          }
          root.setRowCount(rows);
          writer.writeBatch();
        }
        writer.end();
      }
    }
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PpmlCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void inspectPrintsSchemaAndCountsButNoValues() {
    String[] r = run("--home", home.toString(), "arrow", "inspect", file.toString());
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("id: Int(32, true)"), r[1]);
    assertTrue(r[1].contains("name: Utf8"), r[1]);
    assertTrue(r[1].contains("batches  2"), r[1]);
    assertTrue(r[1].contains("rows     5"), r[1]);
    assertFalse(r[1].contains("secret-"), r[1]);
  }

  @Test
  void inspectOfDamagedFileFailsWithOneLine() throws Exception {
    Path damaged = dir.resolve("damaged.arrow.ppml");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 5] ^= 1;
    Files.write(damaged, bytes);
    String[] r = run("--home", home.toString(), "arrow", "inspect", damaged.toString());
    assertEquals("1", r[0]);
    assertEquals(1, r[2].lines().count(), r[2]);
  }
}
