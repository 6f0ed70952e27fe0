package io.ppml.attestation.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** configfs through java.nio: attributes already exist, so writes neither create nor truncate. */
class NioTsmFileSystem implements TsmFileSystem {

  @Override
  public void createEntry(Path entry) throws IOException {
    Files.createDirectory(entry);
  }

  @Override
  public byte[] read(Path attribute) throws IOException {
    return Files.readAllBytes(attribute);
  }

  @Override
  public void write(Path attribute, byte[] data) throws IOException {
    Files.write(attribute, data, StandardOpenOption.WRITE);
  }

  @Override
  public void removeEntry(Path entry) throws IOException {
    Files.delete(entry);
  }
}
