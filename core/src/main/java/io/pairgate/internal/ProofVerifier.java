package io.pairgate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pairgate.Challenge;
import io.pairgate.ConnectAttempt;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.ProofPayload;
import io.pairgate.spi.RandomSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.jspecify.annotations.Nullable;

/**
 * Proof-of-possession checks, in the documented order: device id, key, skew, nonce presence,
 * nonce match (single use), signature. Decoded keys are cached.
 */
final class ProofVerifier {
  /** The outcome: a verified key, or a typed failure. */
  record Outcome(@Nullable DevicePublicKey key, @Nullable DeviceId deviceId, @Nullable ErrorCode error, String message) {
    static Outcome fail(ErrorCode code, String message) {
      return new Outcome(null, null, code, message);
    }
  }

  private final Clock clock;
  private final Duration skew;
  private final Duration challengeTtl;
  private final RandomSource random;
  private final ConcurrentHashMap<String, Long> outstanding = new ConcurrentHashMap<>();
  private final AtomicInteger issuedSincePrune = new AtomicInteger();
  private final Cache<DevicePublicKey, Ed25519PublicKeyParameters> keys =
      Caffeine.newBuilder().maximumSize(10_000).build();

  ProofVerifier(Clock clock, Duration skew, Duration challengeTtl, RandomSource random) {
    this.clock = clock;
    this.skew = skew;
    this.challengeTtl = challengeTtl;
    this.random = random;
  }

  Challenge issue() {
    Instant now = clock.instant();
    String nonce = Ids.uuid(random);
    outstanding.put(nonce, now.toEpochMilli());
    if (issuedSincePrune.incrementAndGet() >= 1024) {
      issuedSincePrune.set(0);
      long cutoff = now.toEpochMilli() - challengeTtl.toMillis();
      outstanding.values().removeIf(issued -> issued < cutoff);
    }
    return new Challenge(nonce, now);
  }

  /**
   * Runs the checks. With {@code consume} the challenge is used up (R1.4); without (a dry run) it
   * is only looked at and stays usable.
   */
  Outcome verify(ConnectAttempt a, Instant now, boolean consume) {
    DevicePublicKey key;
    try {
      key = DevicePublicKey.parse(a.publicKey());
    } catch (PairgateException e) {
      return Outcome.fail(ErrorCode.PUBLIC_KEY_INVALID, "device public key invalid");
    }
    DeviceId derived = DeviceId.of(key);
    if (!derived.value().equals(a.deviceId())) {
      return Outcome.fail(ErrorCode.DEVICE_ID_MISMATCH, "device identity mismatch");
    }
    Ed25519PublicKeyParameters params = keys.getIfPresent(key);
    if (params == null) {
      try {
        params = new Ed25519PublicKeyParameters(key.rawBytes(), 0);
      } catch (RuntimeException e) {
        return Outcome.fail(ErrorCode.PUBLIC_KEY_INVALID, "device public key invalid");
      }
      keys.put(key, params);
    }
    long drift = Math.abs(now.toEpochMilli() - a.signedAtMs());
    if (drift > skew.toMillis()) {
      return Outcome.fail(ErrorCode.SIGNATURE_EXPIRED, "device signature expired");
    }
    if (a.nonce().isEmpty()) {
      return Outcome.fail(ErrorCode.NONCE_REQUIRED, "device nonce required");
    }
    Challenge c = a.challenge();
    if (!a.nonce().equals(c.nonce())
        || !(consume ? consume(c.nonce(), now) : isOutstanding(c.nonce(), now))) {
      return Outcome.fail(ErrorCode.NONCE_MISMATCH, "device nonce mismatch");
    }
    byte[] sig = decodeSignature(a.signature());
    if (sig == null
        || !(verifies(params, ProofPayload.v3(a), sig) || verifies(params, ProofPayload.v2(a), sig))) {
      return Outcome.fail(ErrorCode.SIGNATURE_INVALID, "device signature invalid");
    }
    return new Outcome(key, derived, null, "");
  }

  private boolean consume(String nonce, Instant now) {
    Long issued = outstanding.remove(nonce);
    return issued != null && now.toEpochMilli() - issued <= challengeTtl.toMillis();
  }

  private boolean isOutstanding(String nonce, Instant now) {
    Long issued = outstanding.get(nonce);
    return issued != null && now.toEpochMilli() - issued <= challengeTtl.toMillis();
  }

  private static byte @Nullable [] decodeSignature(String s) {
    try {
      byte[] b =
          (s.indexOf('+') >= 0 || s.indexOf('/') >= 0 || s.endsWith("="))
              ? Base64.getDecoder().decode(s)
              : Base64.getUrlDecoder().decode(s);
      return b.length == 64 ? b : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static boolean verifies(Ed25519PublicKeyParameters key, String payload, byte[] sig) {
    byte[] msg = payload.getBytes(StandardCharsets.UTF_8);
    Ed25519Signer v = new Ed25519Signer();
    v.init(false, key);
    v.update(msg, 0, msg.length);
    return v.verifySignature(sig);
  }
}
