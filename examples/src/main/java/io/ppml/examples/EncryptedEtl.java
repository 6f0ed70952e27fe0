package io.ppml.examples;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Encrypted customers CSV + encrypted transactions Parquet → per-customer features, encrypted Parquet partitioned
 * by segment. Identifiers are replaced by deterministic ciphertexts (key {@link ExampleKeys#IDS}) before the join,
 * so the join, the grouping and the output work on tokens; names and addresses are dropped.
 *
 * <p>Output columns: {@code cid} (token of customer_id), {@code national_id_token}, {@code card_token},
 * {@code country}, {@code income}, {@code txn_count}, {@code total_amount}, {@code avg_amount},
 * {@code max_amount}, {@code max_amount_to_income} (largest amount over monthly income), {@code night_share},
 * {@code foreign_share}, {@code risky_share}, {@code label} (1 if any transaction was fraudulent), and the
 * partition column {@code segment}. Partition values appear in directory names, so only a non-sensitive column
 * is used for partitioning.
 */
public final class EncryptedEtl {
  /** Categories counted in {@code risky_share}. */
  static final String RISKY_CATEGORIES = "'electronics','jewelry','gambling','crypto'";

  /** Rows read, kept after cleaning, and written. */
  public record Result(long customersKept, long transactionsRead, long featureRows) {}

  private EncryptedEtl() {}

  public static Result run(SparkSession spark, Path customersDir, Path transactionsDir, Path outDir) {
    spark.read().format("ppml-csv").option("header", "true").option("mode", "DROPMALFORMED")
        .schema("customer_id STRING, name STRING, national_id STRING, card_number STRING, address STRING, "
            + "city STRING, country STRING, birth_date DATE, income DOUBLE, account_open_date DATE, segment STRING")
        .load(customersDir.toString())
        .createOrReplaceTempView("raw_customers");
    spark.read().format("ppml-parquet").load(transactionsDir.toString()).createOrReplaceTempView("raw_transactions");

    Dataset<Row> customers = spark.sql("""
        SELECT ppml_encrypt_det(trim(customer_id), '%1$s') AS cid,
               ppml_encrypt_det(trim(national_id), '%1$s') AS national_id_token,
               ppml_encrypt_det(trim(card_number), '%1$s') AS card_token,
               %2$s AS country,
               lower(trim(segment)) AS segment,
               income
        FROM raw_customers
        WHERE customer_id IS NOT NULL AND national_id IS NOT NULL AND card_number IS NOT NULL
          AND segment IS NOT NULL AND income > 0
        """.formatted(ExampleKeys.IDS, normalizedCountry("country")))
        .where("country RLIKE '^[A-Z]{2}$'");
    customers.createOrReplaceTempView("customers_clean");

    spark.sql("""
        SELECT ppml_encrypt_det(customer_id, '%s') AS cid, amount, hour(timestamp) AS hour, country AS txn_country,
               merchant_category, is_fraud
        FROM raw_transactions WHERE customer_id IS NOT NULL AND amount IS NOT NULL
        """.formatted(ExampleKeys.IDS)).createOrReplaceTempView("transactions_clean");

    Dataset<Row> features = spark.sql("""
        SELECT c.cid, c.national_id_token, c.card_token, c.country, c.income, c.segment,
               count(*) AS txn_count,
               sum(t.amount) AS total_amount,
               avg(t.amount) AS avg_amount,
               max(t.amount) AS max_amount,
               max(t.amount) / (c.income / 12) AS max_amount_to_income,
               avg(CASE WHEN t.hour >= 23 OR t.hour < 6 THEN 1.0 ELSE 0.0 END) AS night_share,
               avg(CASE WHEN t.txn_country <> c.country THEN 1.0 ELSE 0.0 END) AS foreign_share,
               avg(CASE WHEN t.merchant_category IN (%s) THEN 1.0 ELSE 0.0 END) AS risky_share,
               cast(max(t.is_fraud) AS DOUBLE) AS label
        FROM customers_clean c JOIN transactions_clean t ON c.cid = t.cid
        GROUP BY c.cid, c.national_id_token, c.card_token, c.country, c.income, c.segment
        """.formatted(RISKY_CATEGORIES));
    features.write().format("ppml-parquet").option("key", ExampleKeys.FEATURES).partitionBy("segment")
        .mode("overwrite").save(outDir.toString());

    long kept = spark.table("customers_clean").count();
    long txns = spark.table("raw_transactions").count();
    long written = spark.read().format("ppml-parquet").load(outDir.toString()).count();
    return new Result(kept, txns, written);
  }

  /** SQL expression mapping the known spellings of {@code column} to ISO codes (others: trimmed, upper case). */
  static String normalizedCountry(String column) {
    String map = BankDataGenerator.COUNTRY_SPELLINGS.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> "'" + e.getKey() + "', '" + e.getValue() + "'")
        .collect(Collectors.joining(", ", "map(", ")"));
    String key = "upper(trim(" + column + "))";
    return "coalesce(element_at(" + map + ", " + key + "), " + key + ")";
  }

  /** {@code spark-submit --class io.ppml.examples.EncryptedEtl examples.jar CUSTOMERS_DIR TRANSACTIONS_DIR OUT}. */
  public static void main(String[] args) {
    JobArgs.require(args, 3, "EncryptedEtl CUSTOMERS_DIR TRANSACTIONS_DIR OUT_DIR");
    SparkSession spark = ExampleSession.submitted("ppml-encrypted-etl");
    try {
      Result r = run(spark, Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
      System.out.printf("customers kept %,d, transactions %,d, feature rows %,d%n", r.customersKept(),
          r.transactionsRead(), r.featureRows());
    } finally {
      spark.stop();
    }
  }
}
