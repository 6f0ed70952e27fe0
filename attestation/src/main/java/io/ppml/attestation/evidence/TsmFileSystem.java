package io.ppml.attestation.evidence;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The four file operations the configfs-tsm protocol needs. The real implementation is plain java.nio
 * ({@link NioTsmFileSystem}); the seam exists so tests can run the provider's protocol against an emulated
 * kernel over an ordinary directory.
 */
interface TsmFileSystem {

  /** mkdir of a report entry; the kernel populates its attributes. */
  void createEntry(Path entry) throws IOException;

  byte[] read(Path attribute) throws IOException;

  void write(Path attribute, byte[] data) throws IOException;

  /** rmdir of a report entry. */
  void removeEntry(Path entry) throws IOException;
}
