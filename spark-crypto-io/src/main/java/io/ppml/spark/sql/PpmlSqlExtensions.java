package io.ppml.spark.sql;

import io.ppml.core.kms.KeyNames;
import io.ppml.spark.sql.ColumnCiphertext.Mode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.ppml.spark.sql.PpmlSqlExtensions}: column-level encryption functions for SQL
 * and {@code functions.expr(...)}.
 *
 * <ul>
 *   <li>{@code ppml_encrypt(col, 'key')}: randomized AEAD; equal inputs give unrelated outputs. Marked
 *       non-deterministic so the optimizer neither merges nor re-evaluates it as if it were a pure function.
 *   <li>{@code ppml_encrypt_det(col, 'key')}: deterministic AEAD; equal inputs under the same key version give
 *       equal outputs, so joins, {@code GROUP BY} and {@code DISTINCT} work on the encrypted column. It reveals
 *       which values are equal.
 *   <li>{@code ppml_decrypt(col)} (binary) and {@code ppml_decrypt(col, 'string')} (UTF-8 string): either mode;
 *       the value names its key and version.
 * </ul>
 * Inputs: {@code STRING} (encrypted as UTF-8) or {@code BINARY}; other types are rejected at analysis (cast to
 * string first). Output of the encrypt functions: {@code BINARY} in the layout of {@link ColumnCiphertext}. The
 * key argument must be a constant string; the plan holds only that name, and each executor derives the key
 * from its own key service (see {@link ColumnKeys}).
 */
public final class PpmlSqlExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  public static final String ENCRYPT = "ppml_encrypt";
  public static final String ENCRYPT_DET = "ppml_encrypt_det";
  public static final String DECRYPT = "ppml_decrypt";

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    register(extensions, ENCRYPT, "_FUNC_(col, 'key') - Encrypts a string or binary column with a random nonce "
        + "(AES-256-GCM-SIV) under primary key 'key'; returns binary.", args -> encrypt(ENCRYPT, Mode.RANDOMIZED, args));
    register(extensions, ENCRYPT_DET, "_FUNC_(col, 'key') - Encrypts deterministically (AES-256-GCM-SIV, "
        + "synthetic nonce): equal inputs give equal outputs; returns binary.",
        args -> encrypt(ENCRYPT_DET, Mode.DETERMINISTIC, args));
    register(extensions, DECRYPT, "_FUNC_(col[, 'binary'|'string']) - Decrypts a value of ppml_encrypt or "
        + "ppml_encrypt_det; fails if it does not authenticate.", PpmlSqlExtensions::decrypt);
    return BoxedUnit.UNIT;
  }

  private interface Builder {
    Expression build(List<Expression> args) throws AnalysisException;
  }

  private static void register(SparkSessionExtensions extensions, String name, String usage, Builder builder) {
    ExpressionInfo info = new ExpressionInfo(ScalaUDF.class.getName(), null, name, usage, "", "", "", "", "", "",
        "java_udf");
    extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(name), info,
        new AbstractFunction1<Seq<Expression>, Expression>() {
          @Override
          public Expression apply(Seq<Expression> args) {
            try {
              return builder.build(CollectionConverters.asJava(args));
            } catch (AnalysisException e) {
              // Scala callers expect AnalysisException unchecked; Java's checked-exception rule does not apply.
              throw PpmlSqlExtensions.<RuntimeException>rethrow(e);
            }
          }
        }));
  }

  private static Expression encrypt(String name, Mode mode, List<Expression> args) throws AnalysisException {
    checkArity(name, args, 2, 2);
    Expression input = args.get(0);
    checkInputType(name, input, true);
    String keyName = constantString(name, args.get(1), "key");
    try {
      KeyNames.check(keyName);
    } catch (IllegalArgumentException e) {
      throw error("INVALID_PARAMETER_VALUE.PATTERN", Map.of("parameter", "`key`", "functionName",
          "`" + name + "`", "value", e.getMessage()));
    }
    return udf(name, new ColumnEncrypt(keyName, mode), DataTypes.BinaryType, input,
        mode == Mode.DETERMINISTIC);
  }

  private static Expression decrypt(List<Expression> args) throws AnalysisException {
    checkArity(DECRYPT, args, 1, 2);
    Expression input = args.get(0);
    checkInputType(DECRYPT, input, false);
    boolean asString = false;
    if (args.size() == 2) {
      String type = constantString(DECRYPT, args.get(1), "type").toLowerCase(Locale.ROOT);
      if (!type.equals("string") && !type.equals("binary")) {
        throw error("INVALID_PARAMETER_VALUE.PATTERN", Map.of("parameter", "`type`", "functionName",
            "`" + DECRYPT + "`", "value", "expected 'binary' or 'string', got '" + type + "'"));
      }
      asString = type.equals("string");
    }
    return udf(DECRYPT, new ColumnDecrypt(asString), asString ? DataTypes.StringType : DataTypes.BinaryType,
        input, true);
  }

  private static Expression udf(String name, Object function, DataType resultType, Expression input,
      boolean deterministic) {
    Seq<Expression> children = CollectionConverters.asScala(List.of(input)).toList();
    return new ScalaUDF(function, resultType, children, scala.collection.immutable.List$.MODULE$.empty(),
        Option.empty(), Option.apply(name), true, deterministic);
  }

  private static void checkArity(String name, List<Expression> args, int min, int max) throws AnalysisException {
    if (args.size() < min || args.size() > max) {
      throw error("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", Map.of("functionName", "`" + name + "`",
          "expectedNum", min == max ? String.valueOf(min) : "[" + min + ", " + max + "]",
          "actualNum", String.valueOf(args.size()), "docroot", "https://spark.apache.org/docs/latest"));
    }
  }

  private static void checkInputType(String name, Expression input, boolean allowString) throws AnalysisException {
    DataType type = input.dataType();
    if (type instanceof BinaryType || (allowString && type instanceof StringType)) {
      return;
    }
    throw error("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", Map.of("sqlExpr", "\"" + name + "(" + input.sql()
        + ")\"", "paramIndex", "first", "requiredType", allowString ? "(\"STRING\" or \"BINARY\")" : "\"BINARY\"",
        "inputSql", "\"" + input.sql() + "\"", "inputType", "\"" + type.sql() + "\""));
  }

  private static String constantString(String name, Expression e, String what) throws AnalysisException {
    if (!e.foldable() || !(e.dataType() instanceof StringType)) {
      throw error("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", Map.of("sqlExpr", "\"" + name + "\"", "inputName",
          "`" + what + "`", "inputType", "\"STRING\"", "inputExpr", "\"" + e.sql() + "\""));
    }
    Object value = e.eval(null);
    if (value == null) {
      throw error("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", Map.of("sqlExpr", "\"" + name + "\"", "inputName",
          "`" + what + "`", "inputType", "\"STRING\"", "inputExpr", "NULL"));
    }
    return value.toString();
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> E rethrow(Exception e) throws E {
    throw (E) e;
  }

  private static AnalysisException error(String errorClass, Map<String, String> parameters) {
    return new AnalysisException(errorClass,
        scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(parameters)));
  }
}
