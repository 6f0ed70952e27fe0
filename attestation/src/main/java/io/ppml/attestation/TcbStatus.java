package io.ppml.attestation;

/**
 * Intel's TCB status of a platform, ordered from best to worst; {@link #UNKNOWN} when no collateral was
 * used. A policy's minimum status accepts every status at least as good as it ({@link #atLeast}).
 */
public enum TcbStatus {
  UP_TO_DATE("UpToDate"),
  SW_HARDENING_NEEDED("SWHardeningNeeded"),
  CONFIGURATION_NEEDED("ConfigurationNeeded"),
  CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
  OUT_OF_DATE("OutOfDate"),
  OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
  REVOKED("Revoked"),
  UNKNOWN("Unknown");

  private final String pcsName;

  TcbStatus(String pcsName) {
    this.pcsName = pcsName;
  }

  /** The spelling Intel's PCS uses in TCB info and QE identity JSON. */
  public String pcsName() {
    return pcsName;
  }

  /** True when this status is as good as or better than {@code minimum}. Unknown and Revoked never are. */
  public boolean atLeast(TcbStatus minimum) {
    if (this == UNKNOWN || this == REVOKED) {
      return false;
    }
    return ordinal() <= minimum.ordinal();
  }

  public static TcbStatus fromPcsName(String name) {
    for (TcbStatus s : values()) {
      if (s.pcsName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown TCB status '" + name + "'");
  }

  @Override
  public String toString() {
    return pcsName;
  }
}
