package io.ppml.spark.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.AttestationDeniedException;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import io.ppml.spark.source.SparkTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark jobs whose keys come from a key broker ({@code spark.ppml.kms.type=kbs}) running in this JVM in
 * development mode, reached over TLS after attesting with the broker's simulated TDX platform.
 */
class KbsSparkTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.IntegerType)
      .add("name", DataTypes.StringType);

  @TempDir Path dir;
  private KbsServer kbs;
  private SparkSession spark;

  @AfterEach
  void stop() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    ExecutorKms.closeAll();
    if (kbs != null) {
      kbs.close();
    }
  }

  /** Starts the development broker in {@code state}, with {@code allowSimulated} in its attestation policy. */
  private void startKbs(Path state, boolean allowSimulated) throws Exception {
    KbsConfig config = DevKbs.prepare(state, 0, Clock.systemUTC());
    if (!allowSimulated) {
      Path policy = state.resolve(DevKbs.ATTESTATION_POLICY);
      Files.writeString(policy, Files.readString(policy).replace("allowSimulated: true", "allowSimulated: false"));
    }
    kbs = KbsServer.start(config);
    try (KbsClient admin = KbsClient.builder().url(kbs.url()).caPem(state.resolve(DevKbs.CA))
        .admin(AdminCredential.load(DevKbs.ADMIN_NAME, state.resolve(DevKbs.ADMIN_KEY))).build()) {
      admin.createKey("customers");
    }
  }

  private SparkSession session(Path state) {
    return SparkTestSupport.localSession("kbs", dir.resolve("unused-local-home"), Map.of(
        KmsSettings.TYPE, KmsSettings.TYPE_KBS,
        KbsClientConfig.URL, kbs.url().toString(),
        KbsClientConfig.CA, state.resolve(DevKbs.CA).toString(),
        KbsClientConfig.TEE, KbsClientConfig.TEE_SIMULATED,
        KbsClientConfig.SIMULATED_STATE, state.resolve(DevKbs.SIMULATED).toString()));
  }

  private Dataset<Row> people() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create(i, "customer-" + i + "-secret"));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(3);
  }

  private static List<Row> sorted(Dataset<Row> data) {
    List<Row> list = new ArrayList<>(data.select("id", "name").collectAsList());
    list.sort(Comparator.comparingInt(r -> ((Number) r.get(0)).intValue()));
    return list;
  }

  @Test
  void csvAndParquetRoundTripWithKeysFromTheBroker() throws Exception {
    Path state = dir.resolve("kbs");
    startKbs(state, true);
    spark = session(state);
    List<Row> expected = sorted(people());

    String csv = dir.resolve("csv").toString();
    people().write().format("ppml-csv").option("key", "customers").option("header", "true").save(csv);
    SparkTestSupport.assertEncrypted(Path.of(csv), "customer-7-secret");
    assertEquals(expected, sorted(spark.read().format("ppml-csv").schema(SCHEMA).option("header", "true")
        .load(csv)));

    String parquet = dir.resolve("parquet").toString();
    people().write().format("ppml-parquet").option("key", "customers").save(parquet);
    for (Path file : SparkTestSupport.dataFiles(Path.of(parquet))) {
      assertFalse(SparkTestSupport.contains(Files.readAllBytes(file), "customer-7-secret".getBytes()), file.toString());
    }
    assertEquals(expected, sorted(spark.read().format("ppml-parquet").load(parquet)));

    // Every key operation went through the broker, and nothing about the broker but locations is configured.
    assertFalse(Files.exists(dir.resolve("unused-local-home")));
    for (scala.Tuple2<String, String> entry : spark.sparkContext().getConf().getAll()) {
      assertFalse(entry._2().contains("BEGIN") || entry._2().contains("eyJ"), entry._1());
    }
  }

  @Test
  void aBrokerThatRefusesSimulatedTdxFailsTheWriteWithAttestationDenial() throws Exception {
    Path state = dir.resolve("kbs");
    startKbs(state, false);
    spark = session(state);
    Exception e = assertThrows(Exception.class, () -> people().write().format("ppml-csv")
        .option("key", "customers").save(dir.resolve("denied").toString()));
    AttestationDeniedException denied = SparkTestSupport.causeOf(e, AttestationDeniedException.class);
    assertEquals("attestation-denied", denied.serverError());
    assertTrue(denied.failedRules().contains("allowSimulated"), denied.failedRules().toString());
    Path out = dir.resolve("denied");
    assertTrue(!Files.exists(out) || SparkTestSupport.dataFiles(out).isEmpty());
  }
}
