package io.ppml.examples.notebooks;

/** A paragraph of a note failed; names the note, the paragraph's index and interpreter, and the error. */
final class ParagraphFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String note;
  private final int paragraphIndex;

  ParagraphFailedException(ZeppelinNote note, ZeppelinNote.Paragraph paragraph, String error, Throwable cause) {
    super("note '" + note.name() + "' (" + note.file().getFileName() + "), paragraph " + paragraph.index() + " ("
        + paragraph.label() + (paragraph.title().isBlank() ? "" : " \"" + paragraph.title() + "\"") + "): "
        + error, cause);
    this.note = note.name();
    this.paragraphIndex = paragraph.index();
  }

  String note() {
    return note;
  }

  int paragraphIndex() {
    return paragraphIndex;
  }
}
