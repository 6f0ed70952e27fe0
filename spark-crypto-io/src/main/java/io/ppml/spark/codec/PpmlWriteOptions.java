package io.ppml.spark.codec;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.kms.KeyNames;
import java.io.Serializable;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;

/**
 * What writing an encrypted file needs, parsed once: the primary key name that wraps each file's data key,
 * and the plaintext segment size. Names only, never key material.
 *
 * <p>Data source options (case-insensitive, as in Spark): {@value #KEY} (required), {@value #SEGMENT_SIZE}.
 * Hadoop configuration keys, which the codec reads on executors and which the {@code ppml-*} sources set from
 * the options: {@value #CONF_KEY}, {@value #CONF_SEGMENT_SIZE}. A data source option may also use the Hadoop
 * key name directly (Spark copies every option of a file source into the job's Hadoop configuration), which is
 * how plain {@code csv/json/text} writes with the codec pass the key.
 */
public final class PpmlWriteOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Data source option: primary key name. */
  public static final String KEY = "key";
  /** Data source option: plaintext bytes per segment. */
  public static final String SEGMENT_SIZE = "segmentSize";
  /** Hadoop configuration key the codec reads the primary key name from. */
  public static final String CONF_KEY = "spark.ppml.write.key";
  /** Hadoop configuration key the codec reads the segment size from. */
  public static final String CONF_SEGMENT_SIZE = "spark.ppml.write.segmentSize";

  private final String keyName;
  private final int segmentSize;

  private PpmlWriteOptions(String keyName, int segmentSize) {
    this.keyName = keyName;
    this.segmentSize = segmentSize;
  }

  public static PpmlWriteOptions of(String keyName, int segmentSize) {
    KeyNames.check(keyName);
    SegmentedAeadFormat.checkSegmentSize(segmentSize);
    return new PpmlWriteOptions(keyName, segmentSize);
  }

  /**
   * Parses the options of a {@code ppml-*} write ({@value #KEY} or {@value #CONF_KEY}; {@value #SEGMENT_SIZE} or
   * {@value #CONF_SEGMENT_SIZE}).
   *
   * @throws InvalidWriteOptionException naming the option that is missing or unusable
   */
  public static PpmlWriteOptions fromOptions(Map<String, String> options) {
    Map<String, String> o = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    o.putAll(options);
    String key = first(o, KEY, CONF_KEY)
        .orElseThrow(() -> new InvalidWriteOptionException(KEY, "writing encrypted files needs option(\""
            + KEY + "\", <primary key name>)"));
    String size = first(o, SEGMENT_SIZE, CONF_SEGMENT_SIZE).orElse(null);
    return parse(KEY, key, SEGMENT_SIZE, size);
  }

  /**
   * Reads the settings the codec needs from a job's Hadoop configuration.
   *
   * @throws PpmlException ({@link ErrorCode#INVALID_ARGUMENT}) naming {@value #CONF_KEY} when no key name is set
   *     or a value is unusable
   */
  public static PpmlWriteOptions fromHadoopConf(Configuration conf) throws PpmlException {
    String key = trimmed(conf.get(CONF_KEY));
    if (key == null) {
      throw new PpmlException(ErrorCode.INVALID_ARGUMENT, "writing encrypted output needs a primary key name: "
          + "option(\"" + KEY + "\", ...) on ppml-csv/ppml-json/ppml-text, or option(\"" + CONF_KEY
          + "\", ...) (or the Spark/Hadoop setting " + CONF_KEY + ") with the codec " + PpmlCodec.class.getName());
    }
    try {
      return parse(CONF_KEY, key, CONF_SEGMENT_SIZE, trimmed(conf.get(CONF_SEGMENT_SIZE)));
    } catch (InvalidWriteOptionException e) {
      throw new PpmlException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
    }
  }

  /** Sets {@value #CONF_KEY} and {@value #CONF_SEGMENT_SIZE} in {@code conf} for the codec on executors. */
  public void applyTo(Configuration conf) {
    conf.set(CONF_KEY, keyName);
    conf.setInt(CONF_SEGMENT_SIZE, segmentSize);
  }

  public String keyName() {
    return keyName;
  }

  public int segmentSize() {
    return segmentSize;
  }

  private static PpmlWriteOptions parse(String keyOption, String key, String sizeOption, String size) {
    if (!KeyNames.isValid(key)) {
      throw new InvalidWriteOptionException(keyOption, "option \"" + keyOption + "\" is not a valid key name: '"
          + key + "'");
    }
    int segmentSize = SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE;
    if (size != null) {
      try {
        segmentSize = Integer.parseInt(size);
        SegmentedAeadFormat.checkSegmentSize(segmentSize);
      } catch (IllegalArgumentException e) {
        throw new InvalidWriteOptionException(sizeOption, "option \"" + sizeOption + "\" must be a number of bytes "
            + "from " + SegmentedAeadFormat.MIN_SEGMENT_SIZE + " to " + SegmentedAeadFormat.MAX_SEGMENT_SIZE
            + ", got '" + size + "'");
      }
    }
    return new PpmlWriteOptions(key, segmentSize);
  }

  private static Optional<String> first(Map<String, String> options, String name, String alias) {
    String value = trimmed(options.get(name));
    return Optional.ofNullable(value != null ? value : trimmed(options.get(alias)));
  }

  private static String trimmed(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  @Override
  public String toString() {
    return "PpmlWriteOptions[key " + keyName + ", segment " + segmentSize + " bytes]";
  }
}
