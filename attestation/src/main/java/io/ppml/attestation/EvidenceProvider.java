package io.ppml.attestation;

import io.ppml.core.error.PpmlException;

/**
 * Produces attestation evidence (a TDX quote) that binds 64 bytes of caller data into REPORTDATA.
 * Implementations: the Linux configfs-tsm interface of a TD guest, and the simulated TDX provider for
 * development (which every default policy rejects).
 */
public interface EvidenceProvider {

  /** The TEE type named in the key broker protocol ({@code "tdx"}; the simulated provider says so too). */
  String teeType();

  /** True for a provider whose evidence no default policy accepts. */
  boolean simulated();

  /** A quote whose REPORTDATA equals {@code reportData} (exactly 64 bytes). */
  byte[] quote(byte[] reportData) throws PpmlException;
}
