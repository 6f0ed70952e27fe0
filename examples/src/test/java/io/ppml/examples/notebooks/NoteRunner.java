package io.ppml.examples.notebooks;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs every paragraph of a note in order, as Zeppelin does with a Spark interpreter bound per note:
 * <ul>
 *   <li>{@code %md}: skipped;</li>
 *   <li>{@code %spark.conf}: read as a properties file (Zeppelin's conf interpreter does the same); the session
 *       is built from them, through {@link LocalCluster}, when the first Spark paragraph runs, so a settings
 *       paragraph after that fails, as it does in Zeppelin;</li>
 *   <li>{@code %spark.sql}: each statement through {@code spark.sql}, results collected;</li>
 *   <li>{@code %spark}: the Scala 2.13 REPL of {@link ScalaInterpreter}.</li>
 * </ul>
 * Dynamic forms are expanded where Zeppelin expands them: in {@code %spark.sql} paragraphs, and in any
 * paragraph whose local property is {@code form=simple}. Any other interpreter fails the note: an unsupported
 * paragraph must not pass unrun. The first failing paragraph stops the note with a
 * {@link ParagraphFailedException}; the session is stopped in every case. The key services of
 * {@code ExecutorKms} stay open from one note to the next, as they do for the life of a JVM: Parquet's JVM-wide
 * cache of KMS clients keeps using them.
 */
final class NoteRunner implements AutoCloseable {
  private static final Map<String, String> DEFAULT_FORM_TYPE = Map.of("spark.sql", "simple");

  private final Map<String, String> formValues;
  private final Map<String, String> sparkOverrides;
  private final Path replClassesDir;
  /** The Scala compiler takes seconds to start: it starts now, beside the key broker and Spark, and is reused. */
  private final CompletableFuture<ScalaInterpreter> scala;

  /**
   * @param formValues a value for every dynamic form the notes use
   * @param sparkOverrides settings that win over the note's (see {@link LocalCluster})
   * @param replClassesDir where the REPL writes its classes
   */
  NoteRunner(Map<String, String> formValues, Map<String, String> sparkOverrides, Path replClassesDir)
      throws IOException {
    this.formValues = Map.copyOf(formValues);
    this.sparkOverrides = Map.copyOf(sparkOverrides);
    this.replClassesDir = Files.createDirectories(replClassesDir);
    this.scala = CompletableFuture.supplyAsync(() -> new ScalaInterpreter(this.replClassesDir));
  }

  NoteRun run(ZeppelinNote note) throws IOException {
    NoteForms forms = new NoteForms(formValues);
    Properties conf = new Properties();
    Map<Integer, String> outputs = new TreeMap<>();
    Map<Integer, List<Row>> sqlResults = new TreeMap<>();
    SparkSession spark = null;
    boolean replAttached = false;
    try {
      for (ZeppelinNote.Paragraph p : note.paragraphs()) {
        if (p.interpreter().equals("md")) {
          continue;
        }
        String code = code(note, p, forms);
        switch (p.interpreter()) {
          case "spark.conf" -> {
            if (spark != null) {
              throw new ParagraphFailedException(note, p, "settings after the Spark interpreter started", null);
            }
            conf.load(new StringReader(code));
          }
          case "spark.sql" -> {
            spark = spark != null ? spark : start(note, p, conf);
            List<Row> rows = sql(note, p, spark, code);
            sqlResults.put(p.index(), rows);
            outputs.put(p.index(), rows.toString());
          }
          case "spark" -> {
            spark = spark != null ? spark : start(note, p, conf);
            if (!replAttached) {
              attachRepl(note, p, spark);
              replAttached = true;
            }
            ScalaInterpreter.Result result = scala.join().run(code);
            outputs.put(p.index(), result.output());
            if (!result.success()) {
              throw new ParagraphFailedException(note, p, result.output(), null);
            }
          }
          default -> throw new ParagraphFailedException(note, p, "interpreter not supported by this runner", null);
        }
      }
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
    return new NoteRun(note, conf, Map.copyOf(outputs), Map.copyOf(sqlResults));
  }

  private void attachRepl(ZeppelinNote note, ZeppelinNote.Paragraph p, SparkSession spark) {
    try {
      scala.join().attach(spark);
    } catch (RuntimeException e) {
      throw new ParagraphFailedException(note, p, "the Scala interpreter did not start: " + e, e);
    }
  }

  @Override
  public void close() {
    // A compiler that failed to start has nothing to close; its failure was reported by the paragraph.
    scala.thenAccept(ScalaInterpreter::close).exceptionally(e -> null).join();
  }

  private static String code(ZeppelinNote note, ZeppelinNote.Paragraph p, NoteForms forms) {
    String formType = p.localProperties().getOrDefault("form", DEFAULT_FORM_TYPE.getOrDefault(p.interpreter(),
        "native"));
    if (!formType.equals("simple")) {
      if (p.body().contains("$${")) {
        throw new ParagraphFailedException(note, p, "note form in a paragraph whose forms Zeppelin does not expand"
            + " (add the local property form=simple)", null);
      }
      return p.body();
    }
    try {
      return forms.expand(p.body());
    } catch (IllegalArgumentException e) {
      throw new ParagraphFailedException(note, p, e.getMessage(), e);
    }
  }

  private SparkSession start(ZeppelinNote note, ZeppelinNote.Paragraph p, Properties conf) {
    if (SparkSession.getActiveSession().isDefined() || SparkSession.getDefaultSession().isDefined()) {
      throw new IllegalStateException("a Spark session is already running in this JVM");
    }
    Map<String, String> overrides = new HashMap<>(sparkOverrides);
    // As Zeppelin does: the REPL writes its classes there and executors load them from the driver.
    overrides.put("spark.repl.class.outputDir", replClassesDir.toString());
    try {
      return SparkSession.builder().appName("zeppelin-" + note.id())
          .config(LocalCluster.conf(conf, overrides)).getOrCreate();
    } catch (RuntimeException e) {
      throw new ParagraphFailedException(note, p, "Spark did not start: " + e, e);
    }
  }

  private static List<Row> sql(ZeppelinNote note, ZeppelinNote.Paragraph p, SparkSession spark, String code) {
    List<Row> rows = List.of();
    for (String statement : SqlStatements.split(code)) {
      try {
        rows = spark.sql(statement).collectAsList();
      } catch (Exception e) {
        throw new ParagraphFailedException(note, p, e.toString(), e);
      }
    }
    return rows;
  }
}
