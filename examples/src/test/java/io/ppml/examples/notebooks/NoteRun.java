package io.ppml.examples.notebooks;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.Row;

/**
 * What running a note produced.
 *
 * @param conf the note's {@code %spark.conf} settings as written, forms expanded (before {@link LocalCluster})
 * @param outputs per paragraph index: what Zeppelin would show (REPL output, or the rows of SQL results)
 * @param sqlResults per {@code %spark.sql} paragraph index: the rows of its last statement
 */
record NoteRun(ZeppelinNote note, Properties conf, Map<Integer, String> outputs, Map<Integer, List<Row>> sqlResults) {
  /** Index of the paragraph with this title. */
  int indexOf(String title) {
    return note.paragraphs().stream().filter(p -> p.title().equals(title)).mapToInt(ZeppelinNote.Paragraph::index)
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no paragraph titled '" + title + "' in "
            + note.name()));
  }

  /** Rows of the last statement of the {@code %spark.sql} paragraph with this title. */
  List<Row> sqlResult(String title) {
    return sqlResults.get(indexOf(title));
  }

  /** Rows of the last {@code %spark.sql} paragraph. */
  List<Row> lastSqlResult() {
    return sqlResults.get(sqlResults.keySet().stream().max(Integer::compare).orElseThrow());
  }
}
