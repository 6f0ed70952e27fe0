package io.ppml.spark.kms;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.attestation.kbs.KbsKeyManagementService;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.CachingKeyManagementService;
import io.ppml.core.kms.ForwardingKeyManagementService;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.agent.AttestedJvm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key management service of this JVM, one per distinct {@link KmsSettings}, each behind a
 * {@link CachingKeyManagementService}.
 *
 * <p>Why a process-wide registry: Hadoop builds codecs and Parquet builds its {@code KmsClient} by reflection,
 * per file or per split, from nothing but a Hadoop configuration; executors have no object of ours that lives
 * as long as they do and could own a KMS. Opening the KMS per file would reopen the key store (or re-attest to
 * the key broker) and unwrap every data key again. So this class is the one holder; everything else receives a
 * {@link KeyManagementService} by argument. What it holds is wiped by {@link #closeAll()}, which the executor
 * shutdown calls (a JVM shutdown hook does it as well) and tests call between cases.
 *
 * <p>The services handed out are shared views: their {@code close()} does nothing, so one caller cannot close
 * the service under another.
 */
public final class ExecutorKms {
  private static final Map<KmsSettings, KeyManagementService> SERVICES = new HashMap<>();
  private static boolean shutdownHookAdded;

  private ExecutorKms() {}

  /** The shared service for {@code settings}, opened on first use. */
  public static synchronized KeyManagementService forSettings(KmsSettings settings) throws PpmlException {
    KeyManagementService service = SERVICES.get(settings);
    if (service == null) {
      KeyManagementService opened = open(settings);
      service = new SharedView(new CachingKeyManagementService(opened, settings.cacheMaxEntries(),
          settings.cacheTtl()));
      SERVICES.put(settings, service);
      if (!shutdownHookAdded) {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorKms::closeQuietly, "ppml-kms-close"));
        shutdownHookAdded = true;
      }
    }
    return service;
  }

  private static KeyManagementService open(KmsSettings settings) throws PpmlException {
    // KmsSettings admits only known types; a new type adds its case here.
    if (KmsSettings.TYPE_LOCAL.equals(settings.type())) {
      return LocalKms.open(settings.resolvedLocalHome());
    }
    if (KmsSettings.TYPE_KBS.equals(settings.type())) {
      // An attested JVM already holds a token for this broker: key operations use it instead of attesting again.
      KbsClientConfig config = settings.kbsClientConfig();
      Optional<AttestedJvm> attested = AttestedJvm.current().filter(jvm -> jvm.serves(config));
      return attested.isPresent() ? new KbsKeyManagementService(attested.get().client())
          : KbsKeyManagementService.open(config);
    }
    throw new IllegalStateException("no key management service for type " + settings.type());
  }

  /**
   * Closes every service opened so far (wiping cached keys) and forgets them; the next {@link #forSettings}
   * opens afresh. Throws the first failure after trying all.
   */
  public static void closeAll() throws PpmlException {
    List<KeyManagementService> open;
    synchronized (ExecutorKms.class) {
      open = new ArrayList<>(SERVICES.values());
      SERVICES.clear();
    }
    PpmlException first = null;
    for (KeyManagementService service : open) {
      try {
        ((SharedView) service).closeShared();
      } catch (PpmlException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void closeQuietly() {
    try {
      closeAll();
    } catch (PpmlException e) {
      // The JVM is exiting; nothing is left to tell.
    }
  }

  /** Passes everything through except {@code close()}, which belongs to the registry. */
  private static final class SharedView extends ForwardingKeyManagementService {
    SharedView(KeyManagementService delegate) {
      super(delegate);
    }

    @Override
    public void close() {
      // Shared: closed by ExecutorKms.closeAll() only.
    }

    void closeShared() throws PpmlException {
      delegate.close();
    }

    @Override
    public String toString() {
      return "shared " + delegate;
    }
  }
}
