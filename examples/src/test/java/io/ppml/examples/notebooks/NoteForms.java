package io.ppml.examples.notebooks;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Zeppelin's simple dynamic forms: note forms {@code $${name=default}} (one value for the whole note) and
 * paragraph forms {@code ${name=default}}. Every form must have a value here: a note that falls back to the
 * default of one (a cluster path or URL) would reach outside the test's directories, so that is an error.
 */
final class NoteForms {
  private static final Pattern NOTE_FORM = Pattern.compile("[$]{2}[{]([^=}]*)(=[^}]*)?[}]");
  private static final Pattern PARAGRAPH_FORM = Pattern.compile("(?<![$])[$][{]([^=}]*)(=[^}]*)?[}]");
  /** {@code name(display name)}: Zeppelin shows the display name; the value is looked up by name. */
  private static final Pattern DISPLAY_NAME = Pattern.compile("\\s*([^(]*?)\\s*[(][^)]*[)]\\s*");

  private final Map<String, String> values;

  NoteForms(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** {@code text} with every note form, then every paragraph form, replaced by its value. */
  String expand(String text) {
    return replace(replace(text, NOTE_FORM), PARAGRAPH_FORM);
  }

  private String replace(String text, Pattern form) {
    Matcher m = form.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = name(m.group(1));
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("form '" + name + "' has no value for this run (known: "
            + values.keySet() + ")");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String name(String declared) {
    Matcher display = DISPLAY_NAME.matcher(declared);
    return display.matches() ? display.group(1) : declared.trim();
  }
}
