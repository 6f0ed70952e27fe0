package io.ppml.examples.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Zeppelin note file ({@code .zpln}, Zeppelin 0.9 and later): its name, id and paragraphs in order. Each
 * paragraph's text starts with {@code %interpreter} and optional local properties, {@code %spark(form=simple)};
 * a paragraph without that line belongs to the note's default interpreter group.
 */
record ZeppelinNote(Path file, String name, String id, List<Paragraph> paragraphs) {

  /** One paragraph: its position, title, interpreter name, local properties and the code after them. */
  record Paragraph(int index, String title, String interpreter, Map<String, String> localProperties, String body) {
    /** How the paragraph names its interpreter, for messages: {@code %spark.sql}. */
    String label() {
      return "%" + interpreter;
    }
  }

  static ZeppelinNote load(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    String defaultGroup = root.path("defaultInterpreterGroup").asText("spark");
    List<Paragraph> paragraphs = new ArrayList<>();
    for (JsonNode p : root.path("paragraphs")) {
      paragraphs.add(parse(paragraphs.size(), p.path("title").asText(""), p.path("text").asText(""), defaultGroup));
    }
    return new ZeppelinNote(file, root.path("name").asText(), root.path("id").asText(), List.copyOf(paragraphs));
  }

  /** Splits {@code %name(key=value, ...)} from the code, as Zeppelin's paragraph text parser does. */
  static Paragraph parse(int index, String title, String text, String defaultGroup) {
    String trimmed = text.stripLeading();
    if (!trimmed.startsWith("%")) {
      return new Paragraph(index, title, defaultGroup, Map.of(), text);
    }
    int end = 1;
    while (end < trimmed.length() && !Character.isWhitespace(trimmed.charAt(end)) && trimmed.charAt(end) != '(') {
      end++;
    }
    String interpreter = trimmed.substring(1, end);
    Map<String, String> properties = new LinkedHashMap<>();
    if (end < trimmed.length() && trimmed.charAt(end) == '(') {
      int close = trimmed.indexOf(')', end);
      if (close < 0) {
        throw new IllegalArgumentException("paragraph " + index + ": unclosed local properties after %" + interpreter);
      }
      for (String pair : trimmed.substring(end + 1, close).split(",")) {
        if (!pair.isBlank()) {
          int eq = pair.indexOf('=');
          properties.put((eq < 0 ? pair : pair.substring(0, eq)).trim(), eq < 0 ? "" : pair.substring(eq + 1).trim());
        }
      }
      end = close + 1;
    }
    return new Paragraph(index, title, interpreter, Map.copyOf(properties), trimmed.substring(end).strip());
  }
}
