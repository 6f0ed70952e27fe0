package io.ppml.examples;

import java.util.List;

/**
 * Names of the primary keys the example jobs use. Only names travel with the jobs; the key service named by
 * {@code spark.ppml.kms.*} holds the keys, so switching that service changes no code.
 */
public final class ExampleKeys {
  /** Encrypted customer CSV (input). */
  public static final String CUSTOMERS = "customers";
  /** Encrypted transaction Parquet (input). */
  public static final String TRANSACTIONS = "transactions";
  /** Deterministic column encryption of identifiers (customer id, national id, card number). */
  public static final String IDS = "ids";
  /** Per-customer features written by the ETL. */
  public static final String FEATURES = "features";
  /** The encrypted model store. */
  public static final String MODELS = "models";
  /** Predictions and query results. */
  public static final String RESULTS = "results";

  /** Every key the examples need, in creation order. */
  public static final List<String> ALL = List.of(CUSTOMERS, TRANSACTIONS, IDS, FEATURES, MODELS, RESULTS);

  private ExampleKeys() {}
}
