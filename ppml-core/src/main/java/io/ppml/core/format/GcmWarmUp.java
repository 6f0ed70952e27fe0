package io.ppml.core.format;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets HotSpot to compile the JDK's AES-GCM, with its AES and GHASH intrinsics, before large segments pay for the
 * uncompiled path. HotSpot compiles a method after some thousands of calls, and one 64 KiB segment is one call:
 * measured here, a cold JVM seals 64 KiB segments at about 0.05 GB per CPU-second and is still that slow after
 * 5 seconds, whereas after a few thousand 1 KiB calls (a fraction of a second) the same segments run at 3.3 to
 * 3.9 GB per CPU-second. This runs once per JVM, on the thread that processes the JVM's
 * {@value #AFTER_SEGMENTS}th segment, so processes that only touch a few small files never pay for it.
 *
 * <p>It is JVM-wide on purpose: what it warms is the JVM's compiled code, not any state of this project. It uses
 * a throwaway random key and keeps nothing.
 */
final class GcmWarmUp {
  static final int AFTER_SEGMENTS = 8;
  private static final int CALLS = 6000;
  private static final int SIZE = 1024;
  private static final AtomicLong SEGMENTS = new AtomicLong();
  private static volatile boolean done;

  private GcmWarmUp() {}

  /** Counts one segment; the {@value #AFTER_SEGMENTS}th in this JVM runs the warm-up first. */
  static void onSegment() {
    if (!done && SEGMENTS.incrementAndGet() == AFTER_SEGMENTS) {
      run();
    }
  }

  static boolean isDone() {
    return done;
  }

  /** Seals and opens {@value #CALLS} buffers of {@value #SIZE} bytes through the calls the format makes. */
  static void run() {
    try {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      SecretKeySpec spec = new SecretKeySpec(key, "AES");
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      ByteBuffer plain = ByteBuffer.allocate(SIZE);
      ByteBuffer sealed = ByteBuffer.allocate(SIZE + SegmentedAeadFormat.TAG_SIZE);
      byte[] nonce = new byte[SegmentedAeadFormat.NONCE_SIZE];
      for (int i = 0; i < CALLS; i++) {
        ByteBuffer.wrap(nonce).putInt(i);
        GCMParameterSpec parameters = new GCMParameterSpec(128, nonce);
        cipher.init(Cipher.ENCRYPT_MODE, spec, parameters);
        cipher.doFinal(plain.clear(), sealed.clear());
        cipher.init(Cipher.DECRYPT_MODE, spec, parameters);
        cipher.doFinal(sealed.flip(), plain.clear());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed on its own output", e);
    } finally {
      done = true;
    }
  }
}
