package io.ppml.spark.sql;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkEnv;

/**
 * The derived column keys one function instance has used, so a task asks the key service once per key,
 * version and purpose rather than once per row. The plan carries only key names; the keys are derived here,
 * on the executor, through the process-wide key service configured by {@code spark.ppml.kms.*}.
 */
final class ColumnKeys {
  private final KeyManagementService kms;
  private final Map<String, DerivedKey> keys = new HashMap<>();

  ColumnKeys(KeyManagementService kms) {
    this.kms = kms;
  }

  /** Keys from this process's key service ({@link ExecutorKms}), configured by the Spark conf. */
  static ColumnKeys forThisExecutor() throws PpmlException {
    SparkEnv env = SparkEnv.get();
    if (env == null) {
      throw new IllegalStateException("ppml column functions run only inside a Spark driver or executor");
    }
    return new ColumnKeys(ExecutorKms.forSettings(KmsSettings.fromSparkConf(env.conf())));
  }

  /** The key for {@code purpose} from {@code version} of {@code keyName}; version 0 means the newest. */
  synchronized DerivedKey get(String keyName, int version, String purpose) throws PpmlException {
    String id = keyName + '\n' + version + '\n' + purpose;
    DerivedKey key = keys.get(id);
    if (key == null) {
      key = kms.deriveKey(keyName, version, purpose);
      keys.put(id, key);
    }
    return key;
  }
}
