package io.ppml.kbs.server;

import io.ppml.attestation.evidence.SimulatedTdx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * DEVELOPMENT MODE: prepares a state directory from which a complete broker runs on loopback without any
 * TEE hardware, and returns its configuration. Created once, reused on later starts:
 * <ul>
 *   <li>{@code ca.pem} / {@code ca-key.pem} (0600): the CA that signs the TLS and workload certificates;
 *       clients trust {@code ca.pem};</li>
 *   <li>{@code tls.pem} / {@code tls-key.pem} (0600): TLS certificate for 127.0.0.1 and localhost;</li>
 *   <li>{@code admin-key.pem} (0600) / {@code admin.pem}: the admin credential and its public key;</li>
 *   <li>{@code simulated/}: a SIMULATED TDX platform ({@link SimulatedTdx#persist}) and its collateral;</li>
 *   <li>{@code attestation-policy.yaml}: accepts exactly that simulated platform's measurements,
 *       {@code allowSimulated: true};</li>
 *   <li>{@code resource-policy.yaml}: the simulated workload may use every key, resource and certificate.</li>
 * </ul>
 * Every start in this mode logs, loudly, that simulated TDX is allowed.
 */
public final class DevKbs {
  public static final String CA = "ca.pem";
  public static final String CA_KEY = "ca-key.pem";
  public static final String TLS = "tls.pem";
  public static final String TLS_KEY = "tls-key.pem";
  public static final String ADMIN_KEY = "admin-key.pem";
  public static final String ADMIN_PUBLIC = "admin.pem";
  public static final String ADMIN_NAME = "dev-admin";
  public static final String SIMULATED = "simulated";
  public static final String COLLATERAL = "simulated/collateral";
  public static final String ATTESTATION_POLICY = "attestation-policy.yaml";
  public static final String RESOURCE_POLICY = "resource-policy.yaml";
  /** The workload identity the development resource policy defines. */
  public static final String WORKLOAD = "dev-simulated";

  private DevKbs() {}

  /** Creates what is missing in {@code dir} and returns the configuration for {@code port} (0: any). */
  public static KbsConfig prepare(Path dir, int port, Clock clock) throws IOException {
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    SecureRandom random = new SecureRandom();
    try {
      if (!Files.exists(dir.resolve(CA_KEY))) {
        CertificateAuthority ca = CertificateAuthority.generate("ppml KBS development CA", clock, random);
        KeyPair tls = CertificateAuthority.newKeyPair(random);
        X509Certificate tlsCert = ca.issueServer(tls.getPublic(), List.of("127.0.0.1", "localhost"),
            Duration.ofDays(825));
        Pem.writePrivate(dir.resolve(TLS_KEY), tls.getPrivate());
        Pem.writePublic(dir.resolve(TLS), Pem.encode(tlsCert, ca.certificate()));
        Pem.writePrivate(dir.resolve(CA_KEY), ca.privateKey());
        Pem.writePublic(dir.resolve(CA), Pem.encode(ca.certificate()));
      }
      if (!Files.exists(dir.resolve(ADMIN_KEY))) {
        KeyPair admin = CertificateAuthority.newKeyPair(random);
        Pem.writePublic(dir.resolve(ADMIN_PUBLIC), Pem.encode(admin.getPublic()));
        Pem.writePrivate(dir.resolve(ADMIN_KEY), admin.getPrivate());
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot create development credentials: " + e.getMessage(), e);
    }
    Path sim = dir.resolve(SIMULATED);
    if (!Files.exists(sim.resolve(SimulatedTdx.STATE_FILE))) {
      SimulatedTdx.create(clock).persist(sim);
    }
    SimulatedTdx tdx = SimulatedTdx.load(sim);
    Path collateral = dir.resolve(COLLATERAL);
    // Collateral has a validity window: rewrite it on every start so a long-lived dev state keeps working.
    Files.createDirectories(collateral);
    tdx.writeCollateral(collateral, clock.instant());
    if (!Files.exists(dir.resolve(ATTESTATION_POLICY))) {
      StringBuilder p = new StringBuilder();
      p.append("# DEVELOPMENT POLICY: accepts the SIMULATED TDX platform in ").append(SIMULATED).append("/ only.\n");
      p.append("allowSimulated: true\n");
      p.append("mrtd: [\"").append(tdx.mrTdHex()).append("\"]\n");
      for (int i = 0; i < 4; i++) {
        p.append("rtmr").append(i).append(": [\"").append(tdx.rtmrHex(i)).append("\"]\n");
      }
      p.append("mrconfigid: [\"*\"]\nmrowner: [\"*\"]\n");
      Files.writeString(dir.resolve(ATTESTATION_POLICY), p.toString());
    }
    if (!Files.exists(dir.resolve(RESOURCE_POLICY))) {
      String r = "# DEVELOPMENT POLICY: the simulated workload may use every key and resource.\n"
          + "workloads:\n"
          + "  " + WORKLOAD + ":\n"
          + "    mrtd: [\"" + tdx.mrTdHex() + "\"]\n"
          + "    simulated: true\n"
          + "rules:\n"
          + "  - name: dev-keys\n"
          + "    workloads: [" + WORKLOAD + "]\n"
          + "    operations: [generate, wrap, unwrap, rewrap, derive]\n"
          + "    keys: [\"*\"]\n"
          + "  - name: dev-resources\n"
          + "    workloads: [" + WORKLOAD + "]\n"
          + "    operations: [resource]\n"
          + "    resources: [\"*\"]\n"
          + "  - name: dev-certificates\n"
          + "    workloads: [" + WORKLOAD + "]\n"
          + "    operations: [certificate]\n";
      Files.writeString(dir.resolve(RESOURCE_POLICY), r);
    }
    return KbsConfig.builder()
        .port(port)
        .stateDir(dir)
        .tls(dir.resolve(TLS), dir.resolve(TLS_KEY))
        .workloadCa(dir.resolve(CA), dir.resolve(CA_KEY))
        .adminKey(dir.resolve(ADMIN_PUBLIC))
        .attestationPolicy(dir.resolve(ATTESTATION_POLICY))
        .resourcePolicy(dir.resolve(RESOURCE_POLICY))
        .simulatedRoot(sim.resolve(SimulatedTdx.ROOT_CERTIFICATE_FILE))
        .collateralDir(collateral)
        .clock(clock)
        .build();
  }

  /** The banner printed on startup in development mode. */
  public static String banner(Path dir) {
    return "*** DEVELOPMENT MODE: this KBS accepts SIMULATED TDX evidence (state " + dir + ").\n"
        + "*** Keys are released to software that merely claims to be a TEE. Never use this for real data.";
  }
}
