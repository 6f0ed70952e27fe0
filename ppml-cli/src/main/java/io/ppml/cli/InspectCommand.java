package io.ppml.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentedAeadFormat;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ppml inspect FILE}: the public facts in an encrypted file's header. Needs no key and prints nothing
 * secret: no wrapped key, salt or nonce prefix. Segment count and plaintext length follow from the file length
 * and are not verified here ({@code decrypt} verifies them).
 */
@Command(name = "inspect", description = "Show an encrypted file's header: format, algorithm, key and version, "
    + "segment size and count, plaintext length. Needs no key.")
final class InspectCommand implements Callable<Integer> {
  static final String ALGORITHM = "AES-256-GCM, HKDF-SHA256 segment keys";

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print a JSON object.")
  boolean json;

  @Parameters(paramLabel = "FILE")
  Path file;

  @Override
  public Integer call() throws Exception {
    FileEncryption.checkInput(file);
    FileHeader h;
    try (InputStream in = Files.newInputStream(file)) {
      h = FileHeader.read(in, file.toString());
    }
    long length = Files.size(file);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("file", file.toString());
    facts.put("formatVersion", h.version());
    facts.put("algorithm", ALGORITHM);
    facts.put("algorithmId", SegmentedAeadFormat.ALGORITHM_AES256_GCM_HKDF_SHA256);
    facts.put("keyName", h.keyName());
    facts.put("keyVersion", h.keyVersion());
    facts.put("segmentSize", h.segmentSize());
    facts.put("headerLength", h.length());
    facts.put("fileLength", length);
    facts.put("segmentCount", h.segmentCount(length));
    facts.put("plaintextLength", h.plaintextLength(length));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(facts));
    } else {
      facts.forEach((k, v) -> out.printf("%-16s %s%n", k, v));
    }
    return 0;
  }
}
