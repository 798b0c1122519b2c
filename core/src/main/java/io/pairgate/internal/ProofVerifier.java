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

  ProofVerifier(Clock clock, Duration skew, Duration challengeTtl, RandomSource random) {
    this.clock = clock;
    this.skew = skew;
    this.challengeTtl = challengeTtl;
    this.random = random;
    this.outstanding = Caffeine.newBuilder()
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfterWrite(challengeTtl)
        .maximumSize(1_000_000)
        .executor(Runnable::run)
        .build();
  }

  Challenge issue() {
    Instant now = clock.instant();
    String nonce = Ids.uuid(random);
    outstanding.put(nonce, now.toEpochMilli());
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
    if (!a.nonce().equals(c.nonce())
        || !(consume ? consume(c.nonce(), now) : isOutstanding(c.nonce(), now))) {
      return Outcome.fail(ErrorCode.NONCE_MISMATCH, "device nonce mismatch");
    }
    String unsignable = unsignableField(a);
    if (unsignable != null) {
      return Outcome.fail(ErrorCode.SIGNATURE_INVALID, "device signature invalid: " + unsignable
          + " contains '|' or a control character, so the signed payload is ambiguous");
    }
    byte[] sig = decodeSignature(a.signature());
    if (sig == null || !verifiesEitherVersion(entry, a, sig)) {
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
   * The name of a signed field whose value could shift the payload's field boundaries ({@code |}
   * anywhere, {@code ,} inside a scope) or holds a control character; null if there is none (R1.2).
   */
  private static @Nullable String unsignableField(ConnectAttempt a) {
    if (!signable(a.client().clientId(), '|')) {
      return "clientId";
    }
    if (!signable(a.client().clientMode(), '|')) {
      return "clientMode";
    }
    if (!signable(a.client().platform(), '|')) {
      return "platform";
    }
    if (!signable(a.client().deviceFamily(), '|')) {
      return "deviceFamily";
    }
    if (!signable(a.token(), '|')) {
      return "token";
    }
    if (!signable(a.nonce(), '|')) {
      return "nonce";
    }
    for (String s : a.scopes()) {
      if (!signable(s, '|') || s.indexOf(',') >= 0) {
        return "a scope";
      }
    }
    return null;
  }

  private static boolean signable(String s, char separator) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == separator || Character.isISOControl(c)) {
        return false;
      }
    }
    return true;
  }

  private boolean consume(String nonce, Instant now) {
    Long issued = outstanding.asMap().remove(nonce);
    return issued != null && now.toEpochMilli() - issued <= challengeTtl.toMillis();
  }

  private boolean isOutstanding(String nonce, Instant now) {
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
