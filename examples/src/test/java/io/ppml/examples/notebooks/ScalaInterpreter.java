package io.ppml.examples.notebooks;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import scala.Console$;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * The Scala 2.13 REPL of {@code %spark} paragraphs, set up the way Zeppelin's Spark interpreter sets up its own:
 * class-based wrappers whose classes are written to the session's {@code spark.repl.class.outputDir} (from where
 * executors load them), {@code spark} (typed with the session's runtime class), {@code sc} and
 * {@code sqlContext} as {@code @transient} values, and the same default imports. Zeppelin binds the three values
 * one by one; here they are defined in the same request as the imports, from the session the runner made
 * active, which gives the same names and types with one compilation instead of four. Zeppelin's {@code z}
 * context is not bound: the notes do not use it.
 *
 * <p>One compiler serves every note: {@link #attach} starts a fresh REPL state for a note's session, as a new
 * interpreter process would, without paying the compiler's start-up again.
 */
final class ScalaInterpreter implements AutoCloseable {
  /** Outcome of one paragraph: whether it succeeded and everything it printed (REPL echo and output). */
  record Result(boolean success, String output) {}

  private static final List<String> DEFAULT_IMPORTS = List.of("import org.apache.spark.SparkContext._",
      "import spark.implicits._", "import sqlContext.implicits._", "import spark.sql",
      "import org.apache.spark.sql.functions._");

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintWriter writer = new PrintWriter(buffer, true, StandardCharsets.UTF_8);
  private final IMain intp;

  /**
   * The compiler sees the JVM's class path ({@code -usejavacp}, as in Zeppelin). Under Surefire that is the whole
   * test class path: with its default manifest-only jar, Surefire's booter still sets {@code java.class.path} to
   * the test class path.
   *
   * @param classOutputDir where the REPL writes its classes: the {@code spark.repl.class.outputDir} of every
   *     session it is attached to
   */
  ScalaInterpreter(Path classOutputDir) {
    Settings settings = new Settings();
    Tuple2<Object, scala.collection.immutable.List<String>> parsed = settings.processArguments(
        scalaList(List.of("-Yrepl-class-based", "-Yrepl-outdir", classOutputDir.toString(), "-usejavacp")), true);
    if (!(Boolean) parsed._1()) {
      throw new IllegalStateException("Scala compiler settings rejected: " + parsed._2());
    }
    intp = new IMain(settings, new ReplReporterImpl(settings, writer));
    if (!intp.initializeCompiler()) {
      throw new IllegalStateException("Scala compiler did not start: " + takeOutput());
    }
  }

  /**
   * Forgets every definition, then defines {@code spark}, {@code sc} and {@code sqlContext} of {@code spark},
   * which must be this thread's active session.
   */
  void attach(SparkSession spark) {
    if (SparkSession.getActiveSession().isEmpty() || SparkSession.getActiveSession().get() != spark) {
      throw new IllegalStateException("the session to attach is not the active one");
    }
    intp.reset();
    List<String> setup = new ArrayList<>(List.of(
        "@transient val spark = org.apache.spark.sql.SparkSession.active.asInstanceOf["
            + spark.getClass().getCanonicalName() + "]",
        "@transient val sc: org.apache.spark.SparkContext = spark.sparkContext",
        "@transient val sqlContext: org.apache.spark.sql.SQLContext = spark.sqlContext"));
    setup.addAll(DEFAULT_IMPORTS);
    Result result = run(String.join("\n", setup));
    if (!result.success()) {
      throw new IllegalStateException("REPL set-up failed: " + result.output());
    }
  }

  /**
   * Interprets one paragraph. Like Zeppelin, code the REPL finds incomplete because it ends in a comment is
   * retried with an empty statement appended.
   */
  Result run(String code) {
    Results.Result result = interpret(code);
    if (result == Results.Incomplete$.MODULE$) {
      result = interpret(code + "\nprint(\"\")");
    }
    return new Result(result == Results.Success$.MODULE$, takeOutput());
  }

  private Results.Result interpret(String code) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(intp.classLoader());
    try {
      return Console$.MODULE$.withOut(buffer, () -> intp.interpret(code));
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private String takeOutput() {
    writer.flush();
    String out = buffer.toString(StandardCharsets.UTF_8);
    buffer.reset();
    return out;
  }

  private static scala.collection.immutable.List<String> scalaList(List<String> values) {
    return CollectionConverters.asScala(values).toList();
  }

  @Override
  public void close() {
    intp.close();
  }
}
