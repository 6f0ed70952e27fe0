package io.ppml.examples;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * TPC-H-style queries over the encrypted tables, through {@code spark.sql} on temporary views of {@code ppml-*}
 * reads. Each result is written encrypted ({@code ppml-parquet}, key {@link ExampleKeys#RESULTS}) to
 * {@code OUT/<query name>}; nothing is printed but row counts.
 */
public final class TpchStyleQueries {
  /** Query name → SQL, over views {@code customers}, {@code transactions}, {@code features}. */
  public static final Map<String, String> QUERIES = queries();

  private TpchStyleQueries() {}

  private static Map<String, String> queries() {
    Map<String, String> q = new LinkedHashMap<>();
    // Q1-like pricing summary: aggregation with group by.
    q.put("q1_category_summary", """
        SELECT merchant_category, channel, count(*) AS txns, sum(amount) AS total, avg(amount) AS avg_amount,
               max(amount) AS max_amount, avg(is_fraud) AS fraud_rate
        FROM transactions GROUP BY merchant_category, channel ORDER BY merchant_category, channel""");
    // Q3-like: join + filter, top-N by revenue.
    q.put("q3_top_customers", """
        SELECT c.customer_id, c.segment, sum(t.amount) AS spend, count(*) AS txns
        FROM customers c JOIN transactions t ON c.customer_id = t.customer_id
        WHERE c.segment = 'premium' AND t.timestamp >= TIMESTAMP '2026-03-01 00:00:00'
          AND t.timestamp < TIMESTAMP '2026-09-01 00:00:00'
        GROUP BY c.customer_id, c.segment ORDER BY spend DESC LIMIT 10""");
    // Q13-like: distribution with having.
    q.put("q13_fraud_hotspots", """
        SELECT t.country, t.merchant_category, count(*) AS frauds, sum(t.amount) AS fraud_amount
        FROM transactions t WHERE t.is_fraud = 1
        GROUP BY t.country, t.merchant_category HAVING count(*) >= 3 ORDER BY frauds DESC""");
    // Q5-like: revenue per home country and month, cross-border only.
    q.put("q5_cross_border_by_month", """
        SELECT c.country AS home_country, date_trunc('MONTH', t.timestamp) AS month, sum(t.amount) AS revenue
        FROM customers c JOIN transactions t ON c.customer_id = t.customer_id
        WHERE c.country <> t.country
        GROUP BY c.country, date_trunc('MONTH', t.timestamp) ORDER BY home_country, month""");
    // Over the ETL output: segment risk profile.
    q.put("q_segment_risk", """
        SELECT segment, count(*) AS customers, avg(label) AS fraud_customer_rate, avg(night_share) AS night_share,
               percentile_approx(total_amount, 0.9) AS p90_spend
        FROM features GROUP BY segment ORDER BY segment""");
    return Collections.unmodifiableMap(q);
  }

  /** Runs every query; returns result rows per query name, in {@link #QUERIES} order. */
  public static Map<String, Long> run(SparkSession spark, Path customersDir, Path transactionsDir,
      Path featuresDir, Path outDir) {
    spark.read().format("ppml-csv").option("header", "true").option("mode", "DROPMALFORMED")
        .schema("customer_id STRING, name STRING, national_id STRING, card_number STRING, address STRING, "
            + "city STRING, country STRING, birth_date DATE, income DOUBLE, account_open_date DATE, segment STRING")
        .load(customersDir.toString()).drop("name", "national_id", "card_number", "address")
        .withColumn("country", functions.expr(EncryptedEtl.normalizedCountry("country")))
        .createOrReplaceTempView("customers");
    spark.read().format("ppml-parquet").load(transactionsDir.toString()).createOrReplaceTempView("transactions");
    spark.read().format("ppml-parquet").load(featuresDir.toString()).createOrReplaceTempView("features");
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String name : QUERIES.keySet()) {
      Path out = outDir.resolve(name);
      spark.sql(QUERIES.get(name)).write().format("ppml-parquet").option("key", ExampleKeys.RESULTS)
          .mode("overwrite").save(out.toString());
      rows.put(name, spark.read().format("ppml-parquet").load(out.toString()).count());
    }
    return rows;
  }

  /** {@code spark-submit --class io.ppml.examples.TpchStyleQueries examples.jar CUSTOMERS TXNS FEATURES OUT}. */
  public static void main(String[] args) {
    JobArgs.require(args, 4, "TpchStyleQueries CUSTOMERS_DIR TRANSACTIONS_DIR FEATURES_DIR OUT_DIR");
    SparkSession spark = ExampleSession.submitted("ppml-tpch-style-queries");
    try {
      run(spark, Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]))
          .forEach((name, n) -> System.out.printf("%-28s %,d rows%n", name, n));
    } finally {
      spark.stop();
    }
  }
}
