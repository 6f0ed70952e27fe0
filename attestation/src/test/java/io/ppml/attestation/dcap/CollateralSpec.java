package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Collateral for a {@link TestPlatform}, every part adjustable, by default current at
 * {@link TestPlatform#NOW} and matching the platform's quote made from the real SPR v4 quote (TEE_TCB_SVN
 * 03 00 04 …, QE ISVSVN from the real QE report). The default TCB info has an UpToDate level that needs
 * TDX component 2 SVN 5 (not met) and an OutOfDate level with one advisory that needs SVN 4 (met).
 */
final class CollateralSpec {
  final TestPlatform p;
  String fmspc = TestPlatform.FMSPC;
  String pceId = "0000";
  String tcbInfoId = "TDX";
  Instant issueDate = Instant.parse("2030-05-20T00:00:00Z");
  Instant nextUpdate = Instant.parse("2030-06-20T00:00:00Z");
  String moduleMrSigner = "00".repeat(48);
  /** JSON array elements of tdxModuleIdentities, or null for TCB info without them. */
  String moduleIdentities;
  String tcbLevels = level("UpToDate", 11, 5, "[]") + "," + level("OutOfDate", 11, 4, "[\"INTEL-SA-00837\"]");
  String qeMrSigner = "DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5";
  String qeTcbLevels = "{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2023-02-15T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}";
  PrivateKey tcbInfoKey;
  PrivateKey qeIdentityKey;
  List<X509Certificate> tcbInfoChain;
  List<X509Certificate> qeIdentityChain;
  byte[] pckCrl;
  List<X509Certificate> pckCrlChain;
  byte[] rootCrl;
  /** Applied to the TCB info body after signing (to break the signature). */
  UnaryOperator<byte[]> tcbInfoTamper = b -> b;
  UnaryOperator<byte[]> qeIdentityTamper = b -> b;

  CollateralSpec(TestPlatform p) {
    this.p = p;
    tcbInfoKey = p.signingKey.getPrivate();
    qeIdentityKey = p.signingKey.getPrivate();
    tcbInfoChain = List.of(p.tcbSigning, p.root);
    qeIdentityChain = List.of(p.tcbSigning, p.root);
    pckCrl = TestPlatform.crl(p.pckCa, p.caKey.getPrivate(), Instant.parse("2030-05-01T00:00:00Z"),
        Instant.parse("2030-07-01T00:00:00Z"), BigInteger.valueOf(7));
    pckCrlChain = List.of(p.pckCa, p.root);
    rootCrl = TestPlatform.crl(p.root, p.rootKey.getPrivate(), Instant.parse("2030-01-01T00:00:00Z"),
        Instant.parse("2031-01-01T00:00:00Z"));
  }

  /** A tdxModuleIdentities element with the all-zero signer and attributes and the given levels. */
  static String moduleIdentity(String id, String levels) {
    return "{\"id\":\"" + id + "\",\"mrsigner\":\"" + "00".repeat(48) + "\",\"attributes\":\"0000000000000000\","
        + "\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[" + levels + "]}";
  }

  /** A TCB level: 16 SGX components as the platform's, the given PCESVN, TDX components 3, 0, tdx2, 0…. */
  static String level(String status, int pceSvn, int tdx2, String advisories) {
    return level(status, pceSvn, 3, tdx2, advisories);
  }

  /** A TCB level whose TDX components are tdx0, 0, tdx2, 0…. */
  static String level(String status, int pceSvn, int tdx0, int tdx2, String advisories) {
    StringBuilder sgx = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      sgx.append(i == 0 ? "" : ",").append("{\"svn\":").append(TestPlatform.SGX_COMPONENTS[i]).append('}');
    }
    StringBuilder tdx = new StringBuilder();
    int[] t = {tdx0, 0, tdx2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++) {
      tdx.append(i == 0 ? "" : ",").append("{\"svn\":").append(t[i]).append('}');
    }
    return "{\"tcb\":{\"sgxtcbcomponents\":[" + sgx + "],\"pcesvn\":" + pceSvn + ",\"tdxtcbcomponents\":["
        + tdx + "]},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"" + status + "\",\"advisoryIDs\":"
        + advisories + "}";
  }

  String tcbInfoJson() {
    return "{\"id\":\"" + tcbInfoId + "\",\"version\":3,\"issueDate\":\"" + issueDate + "\",\"nextUpdate\":\""
        + nextUpdate + "\",\"fmspc\":\"" + fmspc + "\",\"pceId\":\"" + pceId + "\",\"tcbType\":0,"
        + "\"tcbEvaluationDataNumber\":17,\"tdxModule\":{\"mrsigner\":\"" + moduleMrSigner + "\","
        + "\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
        + (moduleIdentities == null ? "" : "\"tdxModuleIdentities\":[" + moduleIdentities + "],")
        + "\"tcbLevels\":[" + tcbLevels + "]}";
  }

  String qeIdentityJson() {
    return "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"" + issueDate + "\",\"nextUpdate\":\"" + nextUpdate
        + "\",\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
        + "\"attributes\":\"11000000000000000000000000000000\","
        + "\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"" + qeMrSigner + "\","
        + "\"isvprodid\":2,\"tcbLevels\":[" + qeTcbLevels + "]}";
  }

  Collateral build() throws AttestationException {
    return Collateral.parse(
        tcbInfoTamper.apply(TestPlatform.signedBody("tcbInfo", tcbInfoJson(), tcbInfoKey)),
        qeIdentityTamper.apply(TestPlatform.signedBody("enclaveIdentity", qeIdentityJson(), qeIdentityKey)),
        TestPlatform.pem(tcbInfoChain).getBytes(StandardCharsets.US_ASCII),
        TestPlatform.pem(qeIdentityChain).getBytes(StandardCharsets.US_ASCII),
        pckCrl,
        TestPlatform.pem(pckCrlChain).getBytes(StandardCharsets.US_ASCII),
        rootCrl);
  }
}
