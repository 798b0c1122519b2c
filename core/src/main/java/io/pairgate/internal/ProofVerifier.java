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
import io.pairgate.RetryLaterException;
import io.pairgate.spi.RandomSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.jspecify.annotations.Nullable;

/**
 * Owns the proof of possession (R1.3) and the outstanding challenges (R1.4, R1.5): the checks in
 * the documented order (device id, key, skew, nonce presence, nonce match (single use),
 * signature) and the cache of decoded keys.
 */
final class ProofVerifier {
  /** The outcome: a verified key, or a typed failure. */
  record Outcome(@Nullable DevicePublicKey key, @Nullable DeviceId deviceId, @Nullable ErrorCode error, String message) {
    static Outcome fail(ErrorCode code, String message) {
      return new Outcome(null, null, code, message);
    }
  }

  /** Issued nonces are UUIDs; a longer presented nonce cannot be one and is not looked up. */
  private static final int MAX_NONCE = 128;

  private final boolean acceptV2;
  private final int maxChallenges;
  private final Clock clock;
  private final Duration skew;
  private final Duration challengeTtl;
  private final RandomSource random;
  /** Issued, unused challenges: expire after the challenge lifetime, bounded in number. */
  private final Cache<String, Long> outstanding;
  /** Decoded keys, and which payload version the key's device signed last (v2 clients). */
  private final Cache<DevicePublicKey, KeyEntry> keys =
      Caffeine.newBuilder().maximumSize(10_000).build();

  /** A decoded key; {@code v2First} remembers that its device signs the legacy v2 payload. */
  private static final class KeyEntry {
    final Ed25519PublicKeyParameters params;
    volatile boolean v2First;

    KeyEntry(Ed25519PublicKeyParameters params) {
      this.params = params;
    }
  }

  ProofVerifier(
      Clock clock, Duration skew, Duration challengeTtl, RandomSource random, boolean acceptV2,
      int maxChallenges) {
    this.acceptV2 = acceptV2;
    this.maxChallenges = maxChallenges;
    this.clock = clock;
    this.skew = skew;
    this.challengeTtl = challengeTtl;
    this.random = random;
    this.outstanding = Caffeine.newBuilder()
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfterWrite(challengeTtl)
        .executor(Runnable::run)
        .build();
  }

  /**
   * Issues a challenge, or fails closed when {@code maxChallenges} are outstanding (R1.5): issued
   * challenges are never evicted early, so a flood cannot make a real client's challenge vanish.
   * Concurrent callers may exceed the bound by at most their number.
   */
  Challenge issue() {
    Instant now = clock.instant();
    if (outstanding.estimatedSize() >= maxChallenges) {
      outstanding.cleanUp();
      if (outstanding.estimatedSize() >= maxChallenges) {
        throw new RetryLaterException(ErrorCode.TOO_MANY_CHALLENGES, "too many outstanding"
            + " challenges (maxChallenges=" + maxChallenges + "); try again later",
            untilOldestExpires(now));
      }
    }
    String nonce = Ids.uuid(random);
    outstanding.put(nonce, now.toEpochMilli());
    return new Challenge(nonce, now);
  }

  /**
   * Runs the checks of R1.3; {@code nonceLive} is what {@link #takeNonce} found.
   */
  Outcome verify(ConnectAttempt a, Instant now, boolean nonceLive) {
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
    KeyEntry entry = keys.getIfPresent(key);
    if (entry == null) {
      try {
        entry = new KeyEntry(new Ed25519PublicKeyParameters(key.rawBytes(), 0));
      } catch (RuntimeException e) {
        return Outcome.fail(ErrorCode.PUBLIC_KEY_INVALID, "device public key invalid");
      }
      keys.put(key, entry);
    }
    long drift = Math.abs(now.toEpochMilli() - a.signedAtMs());
    if (drift > skew.toMillis()) {
      return Outcome.fail(ErrorCode.SIGNATURE_EXPIRED, "device signature expired");
    }
    if (a.nonce().isEmpty()) {
      return Outcome.fail(ErrorCode.NONCE_REQUIRED, "device nonce required");
    }
    Challenge c = a.challenge();
    if (!a.nonce().equals(c.nonce()) || !nonceLive) {
      return Outcome.fail(ErrorCode.NONCE_MISMATCH, "device nonce mismatch");
    }
    byte[] sig = decodeSignature(a.signature());
    if (sig == null || !(acceptV2 ? verifiesEitherVersion(entry, a, sig)
        : verifies(entry.params, ProofPayload.v3(a), sig))) {
      return Outcome.fail(ErrorCode.SIGNATURE_INVALID, "device signature invalid");
    }
    return new Outcome(key, derived, null, "");
  }

  /** v3, then v2 (R1.2); a device seen signing v2 is tried with v2 first, saving a verify. */
  private static boolean verifiesEitherVersion(KeyEntry entry, ConnectAttempt a, byte[] sig) {
    boolean v2First = entry.v2First;
    String first = v2First ? ProofPayload.v2(a) : ProofPayload.v3(a);
    if (verifies(entry.params, first, sig)) {
      return true;
    }
    String second = v2First ? ProofPayload.v3(a) : ProofPayload.v2(a);
    if (verifies(entry.params, second, sig)) {
      entry.v2First = !v2First;
      return true;
    }
    return false;
  }

  /**
   * R1.4: the attempt that presents a nonce consumes it (and its connection's challenge) before
   * any other check, so that no outcome, not even a failed check, leaves it usable. Says whether
   * the presented nonce was an outstanding, unexpired challenge. With {@code consume} false (a dry
   * run) it only looks.
   */
  boolean takeNonce(ConnectAttempt a, Instant now, boolean consume) {
    if (!consume) {
      return isOutstanding(a.nonce(), now);
    }
    String presented = a.nonce();
    String own = a.challenge().nonce();
    boolean live = consume(presented, now);
    if (!own.equals(presented)) {
      consume(own, now);
    }
    return live;
  }

  /** How long until the oldest outstanding challenge expires (and frees its place). */
  private Duration untilOldestExpires(Instant now) {
    long oldest = outstanding.policy().expireAfterWrite()
        .map(e -> e.oldest(1).values().stream().findFirst().orElse(now.toEpochMilli()))
        .orElse(now.toEpochMilli());
    long wait = oldest + challengeTtl.toMillis() - now.toEpochMilli();
    return Duration.ofMillis(Math.max(1_000, Math.min(wait, challengeTtl.toMillis())));
  }

  /** How many challenges are outstanding (issued, not yet used, not expired), approximately. */
  long outstandingChallenges() {
    outstanding.cleanUp();
    return outstanding.estimatedSize();
  }

  private boolean consume(String nonce, Instant now) {
    if (nonce.isEmpty() || nonce.length() > MAX_NONCE) {
      return false;
    }
    Long issued = outstanding.asMap().remove(nonce);
    return issued != null && now.toEpochMilli() - issued <= challengeTtl.toMillis();
  }

  private boolean isOutstanding(String nonce, Instant now) {
    if (nonce.isEmpty() || nonce.length() > MAX_NONCE) {
      return false;
    }
    Long issued = outstanding.getIfPresent(nonce);
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
