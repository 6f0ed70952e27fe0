package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeploymentConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    DeploymentConfig d = DeploymentConfig.defaults();
    assertEquals("ppml", d.namespace());
    assertEquals("kata-qemu-tdx", d.runtimeClassName());
    assertEquals(DeploymentConfig.Tee.TDX, d.tee());
    assertEquals(Optional.empty(), d.master());
    assertEquals(d.image(), d.kbsImage(), "the KBS runs from the Spark image unless told otherwise");
    assertTrue(d.kbsConfidential());
    assertEquals("https://ppml-kbs.ppml.svc:8443", d.kbsUrl());
    assertEquals(16, d.keyVolumeMiB());
    assertEquals(new DeploymentConfig.PodSize(1, 2048, 512, 2), d.executor());
    assertEquals(Duration.ofMinutes(5), d.kbsTokenLifetime());
    assertEquals("/opt/ppml/jars/ppml-agent.jar", d.agentJar());
    assertEquals("io.ppml.spark.plugin.PpmlSparkPlugin", d.pluginClass());
    assertEquals(List.of(443, 6443), d.apiServerPorts());
    assertEquals(DeploymentConfig.RootKeyType.FILE, d.kbsRootKeyType());
    assertEquals(Optional.empty(), d.kbsPkcs11RootKey());
    assertEquals(Optional.empty(), d.authSecretResource(), "spark.authenticate is off unless configured");
    assertEquals("ppml-simulated-tee", d.simulatedTeeSecret());
    assertEquals(d.namespace(), DeploymentConfig.parse("", Path.of(".")).namespace(), "an empty file is defaults");
  }

  @Test
  void aFullFileOverridesEverySection() throws Exception {
    DeploymentConfig c = Fixtures.full();
    assertEquals("analytics", c.namespace());
    assertEquals(Optional.of("k8s://https://10.0.0.1:6443"), c.master());
    assertEquals(9443, c.kbsPort());
    assertEquals(Optional.of("fast-ssd"), c.kbsStorageClass());
    assertEquals(List.of(new DeploymentConfig.Egress("10.20.0.0/16", List.of(9000, 9866))), c.egress());
    assertEquals(Fixtures.resource("ca.pem"), c.kbsCaCertificateFile().orElseThrow());
    assertEquals(new DeploymentConfig.PodSize(4, 6144, 1024, 3), c.executor());
    assertEquals(DeploymentConfig.RootKeyType.PKCS11, c.kbsRootKeyType());
    assertEquals(new DeploymentConfig.Pkcs11RootKey("/opt/hsm/lib/libhsm-pkcs11.so", 1, "analytics-root",
        "analytics-kbs-pin", Optional.of("analytics-hsm-client"), Map.of("HSM_CLIENT_CONF", "client.conf")),
        c.kbsPkcs11RootKey().orElseThrow());
    assertEquals(Optional.of("spark/secret/authenticate"), c.authSecretResource());
    assertEquals("analytics-simulated-tee", c.simulatedTeeSecret());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
      "colour: blue; colour",
      "kbs: {prot: 8443}; kbs.prot",
      "driver: {instances: 3}; driver.instances",
      "namespace: Not_A_Label; namespace",
      "runtimeClassName: ''; runtimeClassName",
      "tee: sgx; tee",
      "master: spark://h:7077; master",
      "kbs: {port: 70000}; kbs.port",
      "kbs: {confidential: yes please}; kbs.confidential",
      "executor: {memory: lots}; executor.memory",
      "keyVolumeSize: 0m; keyVolumeSize",
      "kbs: {tokenLifetime: 5 minutes}; kbs.tokenLifetime",
      "kbs: {attestationPolicyFile: no-such-file.yaml}; kbs.attestationPolicyFile",
      "attestedSpark: {agentJar: relative/agent.jar}; attestedSpark.agentJar",
      "attestedSpark: {pluginClass: 'not a class'}; attestedSpark.pluginClass",
      "network: {apiServer: {cidrs: [everywhere]}}; network.apiServer.cidrs",
      "network: {egress: [{cidr: 10.0.0.0/8}]}; network.egress[0]",
      "coco: {initdata: true}; coco.initdata",
      "coco: {imageSecurityPolicyUri: 'kbs:///p'}; coco.imageSecurityPolicyUri",
      "imagePullPolicy: Sometimes; imagePullPolicy",
      "kbs: {rootKey: {type: hsm}}; kbs.rootKey.type",
      "kbs: {rootKey: {kind: pkcs11}}; kbs.rootKey.kind",
      "kbs: {rootKey: {pkcs11: {pin: 1234}}}; kbs.rootKey.pkcs11.pin",
      "kbs: {rootKey: {pkcs11: {library: libsofthsm2.so}}}; kbs.rootKey.pkcs11.library",
      "kbs: {rootKey: {pkcs11: {slotListIndex: -1}}}; kbs.rootKey.pkcs11.slotListIndex",
      "kbs: {rootKey: {pkcs11: {keyLabel: 'root key'}}}; kbs.rootKey.pkcs11.keyLabel",
      "kbs: {rootKey: {pkcs11: {pinSecret: Pin_Secret}}}; kbs.rootKey.pkcs11.pinSecret",
      "kbs: {rootKey: {pkcs11: {moduleConfigEnv: {SOFTHSM2_CONF: softhsm2.conf}}}}; kbs.rootKey.pkcs11.moduleConfigEnv",
      "kbs: {rootKey: {pkcs11: {moduleConfigSecret: hsm, moduleConfigEnv: [a]}}}; kbs.rootKey.pkcs11.moduleConfigEnv",
      "kbs: {rootKey: {pkcs11: {moduleConfigSecret: hsm, moduleConfigEnv: {conf: a.conf}}}}; "
          + "kbs.rootKey.pkcs11.moduleConfigEnv.conf",
      "kbs: {rootKey: {pkcs11: {moduleConfigSecret: hsm, moduleConfigEnv: {CONF: ../etc/passwd}}}}; "
          + "kbs.rootKey.pkcs11.moduleConfigEnv.CONF",
      "attestedSpark: {authSecretResource: spark/authenticate}; attestedSpark.authSecretResource",
      "attestedSpark: {authSecretResource: spark/secret/a b}; attestedSpark.authSecretResource",
      "attestedSpark: {simulatedTeeSecret: Not_A_Label}; attestedSpark.simulatedTeeSecret",
  })
  void badFilesAreRejectedNamingTheKey(String yaml, String key) {
    DeploymentConfigException e = assertThrows(DeploymentConfigException.class,
        () -> DeploymentConfig.parse(yaml, Path.of(".")));
    assertEquals(key, e.key());
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void duplicateKeysAndNonMappingsAreRejected() {
    assertEquals("(syntax)", assertThrows(DeploymentConfigException.class,
        () -> DeploymentConfig.parse("namespace: a\nnamespace: b\n", Path.of("."))).key());
    assertEquals("(top level)", assertThrows(DeploymentConfigException.class,
        () -> DeploymentConfig.parse("- a list\n", Path.of("."))).key());
  }
}
