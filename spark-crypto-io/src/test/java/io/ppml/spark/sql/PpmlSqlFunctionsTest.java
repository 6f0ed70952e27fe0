package io.ppml.spark.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PpmlSqlFunctionsTest {
  @TempDir static Path dir;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    Path home = dir.resolve("kms");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("ids");
      kms.createKey("other");
    }
    spark = SparkSession.builder().master("local[2]").appName("ppml-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.extensions", PpmlSqlExtensions.class.getName())
        .config(KmsSettings.TYPE, KmsSettings.TYPE_LOCAL)
        .config(KmsSettings.LOCAL_HOME, home.toString())
        .getOrCreate();

    StructType people = new StructType().add("id", DataTypes.StringType).add("name", DataTypes.StringType)
        .add("age", DataTypes.IntegerType);
    List<Row> p = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      p.add(RowFactory.create("id-" + (i % 50), "name-" + i, i));
    }
    p.add(RowFactory.create(null, "no-id", 0));
    spark.createDataFrame(p, people).createOrReplaceTempView("people");
    StructType orders = new StructType().add("id", DataTypes.StringType).add("amount", DataTypes.IntegerType);
    List<Row> o = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      o.add(RowFactory.create("id-" + (i % 70), i));
    }
    spark.createDataFrame(o, orders).createOrReplaceTempView("orders");
  }

  @AfterAll
  static void stop() throws Exception {
    spark.stop();
    ExecutorKms.closeAll();
  }

  private static byte[] one(String sql) {
    return (byte[]) spark.sql(sql).first().get(0);
  }

  @Test
  void deterministicIsStablePerKeyAndRoundTrips() {
    byte[] a = one("SELECT ppml_encrypt_det('alice', 'ids')");
    byte[] b = one("SELECT ppml_encrypt_det('alice', 'ids')");
    byte[] other = one("SELECT ppml_encrypt_det('alice', 'other')");
    byte[] bob = one("SELECT ppml_encrypt_det('bob', 'ids')");
    assertArrayEquals(a, b);
    assertFalse(java.util.Arrays.equals(a, other));
    assertFalse(java.util.Arrays.equals(a, bob));

    Row r = spark.sql("SELECT ppml_decrypt(ppml_encrypt_det('alice', 'ids'), 'string'),"
        + " ppml_decrypt(ppml_encrypt_det(X'00FF10', 'ids'))").first();
    assertEquals("alice", r.getString(0));
    assertArrayEquals(new byte[] {0, (byte) 0xFF, 0x10}, (byte[]) r.get(1));
  }

  @Test
  void randomizedDiffersEveryTimeAndRoundTrips() {
    List<Row> rows = spark.sql("SELECT ppml_encrypt(name, 'ids') AS c, name FROM people WHERE id = 'id-1'")
        .collectAsList();
    assertEquals(4, rows.size());
    long distinct = rows.stream().map(r -> java.util.HexFormat.of().formatHex((byte[]) r.get(0))).distinct()
        .count();
    assertEquals(4, distinct);
    byte[] x = one("SELECT ppml_encrypt('same', 'ids')");
    byte[] y = one("SELECT ppml_encrypt('same', 'ids')");
    assertFalse(java.util.Arrays.equals(x, y));

    List<Row> back = spark.sql("SELECT ppml_decrypt(ppml_encrypt(name, 'ids'), 'string') = name,"
        + " ppml_decrypt(ppml_encrypt(id, 'ids'), 'string') FROM people WHERE name = 'no-id'").collectAsList();
    assertTrue(back.get(0).getBoolean(0));
    assertNull(back.get(0).get(1));
  }

  @Test
  void joinOnDeterministicIdsMatchesPlaintextJoin() {
    spark.sql("SELECT ppml_encrypt_det(id, 'ids') AS eid, ppml_encrypt(name, 'ids') AS ename FROM people")
        .createOrReplaceTempView("people_enc");
    spark.sql("SELECT ppml_encrypt_det(id, 'ids') AS eid, amount FROM orders").createOrReplaceTempView("orders_enc");

    List<String> plain = rows("SELECT p.id, p.name, o.amount FROM people p JOIN orders o ON p.id = o.id");
    List<String> encrypted = rows("SELECT ppml_decrypt(p.eid, 'string'), ppml_decrypt(p.ename, 'string'), o.amount"
        + " FROM people_enc p JOIN orders_enc o ON p.eid = o.eid");
    assertFalse(plain.isEmpty());
    assertEquals(plain, encrypted);
  }

  @Test
  void groupByDeterministicIdsGivesPlaintextCounts() {
    List<String> plain = rows("SELECT id, count(*) FROM people GROUP BY id");
    List<String> encrypted = rows("SELECT ppml_decrypt(eid, 'string'), n FROM (SELECT ppml_encrypt_det(id, 'ids')"
        + " AS eid, count(*) AS n FROM people GROUP BY ppml_encrypt_det(id, 'ids'))");
    assertEquals(51, plain.size());
    assertEquals(plain, encrypted);
  }

  @Test
  void tamperedValueFailsWithIntegrityError() {
    byte[] value = one("SELECT ppml_encrypt_det('alice', 'ids')");
    value[value.length - 20] ^= 1;
    spark.createDataFrame(List.of(RowFactory.create((Object) value)),
        new StructType().add("v", DataTypes.BinaryType)).createOrReplaceTempView("tampered");

    Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT ppml_decrypt(v) FROM tampered").collect());
    IntegrityException integrity = cause(e, IntegrityException.class);
    assertEquals(-1, integrity.segment());
  }

  @Test
  void changedHeaderFailsWithIntegrityError() {
    byte[] value = one("SELECT ppml_encrypt('alice', 'ids')");
    value[1] = 2; // randomized -> deterministic: another key, and the header is authenticated
    spark.createDataFrame(List.of(RowFactory.create((Object) value)),
        new StructType().add("v", DataTypes.BinaryType)).createOrReplaceTempView("relabelled");
    Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT ppml_decrypt(v) FROM relabelled").collect());
    cause(e, IntegrityException.class);
  }

  @Test
  void unsupportedInputTypeIsAnAnalysisError() {
    AnalysisException e = assertThrows(AnalysisException.class,
        () -> spark.sql("SELECT ppml_encrypt(age, 'ids') FROM people"));
    assertEquals("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", e.getCondition());
    assertEquals("\"INT\"", e.getMessageParameters().get("inputType"));
  }

  @Test
  void keyMustBeAConstant() {
    AnalysisException e = assertThrows(AnalysisException.class,
        () -> spark.sql("SELECT ppml_encrypt(name, name) FROM people"));
    assertEquals("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", e.getCondition());
  }

  @Test
  void randomizedIsNonDeterministicForTheOptimizer() {
    assertFalse(spark.sql("SELECT ppml_encrypt(name, 'ids') FROM people").queryExecution().analyzed()
        .expressions().forall(x -> x.deterministic()));
    assertTrue(spark.sql("SELECT ppml_encrypt_det(name, 'ids') FROM people").queryExecution().analyzed()
        .expressions().forall(x -> x.deterministic()));
  }

  @Test
  void valueLayoutNamesKeyAndVersion() {
    byte[] v = one("SELECT ppml_encrypt_det('', 'ids')");
    assertEquals(1, v[0]);
    assertEquals(2, v[1]);
    assertEquals(3, v[2]);
    assertEquals("ids", new String(v, 3, 3, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(1, java.nio.ByteBuffer.wrap(v, 6, 4).getInt());
    assertEquals(10 + 12 + 0 + 16, v.length);
    assertNotEquals(0, v[10] | v[11] | v[12]);
  }

  private static List<String> rows(String sql) {
    return spark.sql(sql).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + t, t);
  }
}
