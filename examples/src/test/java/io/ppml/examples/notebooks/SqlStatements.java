package io.ppml.examples.notebooks;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code %spark.sql} paragraph into statements at semicolons outside quotes, back-quoted identifiers
 * and comments, as Zeppelin's SQL interpreter runs one statement after the other.
 */
final class SqlStatements {
  private SqlStatements() {}

  static List<String> split(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (quote != 0) {
        current.append(c);
        if (c == '\\' && quote != '`' && i + 1 < sql.length()) {
          current.append(sql.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"' || c == '`') {
        quote = c;
        current.append(c);
      } else if (c == '-' && sql.startsWith("--", i)) {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? sql.length() : eol - 1;
      } else if (c == '/' && sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 1;
      } else if (c == ';') {
        add(statements, current);
      } else {
        current.append(c);
      }
    }
    add(statements, current);
    return statements;
  }

  private static void add(List<String> statements, StringBuilder current) {
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    current.setLength(0);
  }
}
