package io.ppml.spark.codec;

import org.apache.spark.rdd.InputFileBlockHolder;

/**
 * The name of the file a codec stream reads, for error messages. Hadoop hands a codec a stream without its
 * path; Spark's file scan records the file and range of the current task ({@code InputFileBlockHolder}) before
 * opening it, so that is used when it matches, else the byte range alone.
 */
final class InputFileName {
  private InputFileName() {}

  /** The file Spark is reading in this thread, or a placeholder outside a Spark file scan. */
  static String current() {
    String path = sparkInputFile();
    return path.isEmpty() ? "encrypted input" : path;
  }

  /** The file of split {@code [start, end)}, if Spark is reading exactly that split in this thread. */
  static String forSplit(long start, long end) {
    String path = sparkInputFile();
    if (!path.isEmpty() && InputFileBlockHolder.getStartOffset() == start
        && InputFileBlockHolder.getStartOffset() + InputFileBlockHolder.getLength() == end) {
      return path;
    }
    return "encrypted input (bytes " + start + " to " + end + ")";
  }

  private static String sparkInputFile() {
    try {
      return InputFileBlockHolder.getInputFilePath().toString();
    } catch (LinkageError e) {
      return ""; // the codec used by plain Hadoop, without Spark on the class path
    }
  }
}
