package io.pairgate.internal;

import io.pairgate.Challenge;
import io.pairgate.ConnectAttempt;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.ErrorCode;
import io.pairgate.InputLimits;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.policy.BrowserOrigin;
import io.pairgate.policy.ClientAddress;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Owns the checks before any record is read: the challenge nonce (R1.4), admission (R16: input
 * limits, forwarding headers, browser Origin), the proof of possession (R1.3) and request
 * validation (R3.1). It holds the {@link ProofVerifier} and so the outstanding challenges.
 */
final class AttemptGate {
  private final EngineSettings settings;
  private final ProofVerifier proofs;

  AttemptGate(EngineSettings settings) {
    this.settings = settings;
    this.proofs = new ProofVerifier(settings.clock(), settings.signatureSkew(),
        settings.challengeTtl(), settings.random(), settings.acceptV2Proofs(),
        settings.maxChallenges());
  }

  Challenge issueChallenge() {
    return proofs.issue();
  }

  /** The checks for a connect: the presented challenge is used up, whatever the result. */
  GateResult pass(ConnectAttempt a, AttemptFacts facts, Instant now) {
    return check(a, facts, now, proofs.takeNonce(a, now, true));
  }

  /** The same checks for explain: the presented challenge is looked at and left unused. */
  GateResult preview(ConnectAttempt a, AttemptFacts facts, Instant now) {
    return check(a, facts, now, proofs.takeNonce(a, now, false));
  }

  private GateResult check(ConnectAttempt a, AttemptFacts facts, Instant now, boolean nonceLive) {
    GateResult.Stopped refused = admission(a, facts);
    if (refused != null) {
      return refused;
    }
    ProofVerifier.Outcome proof = proofs.verify(a, now, nonceLive);
    ErrorCode error = proof.error();
    DevicePublicKey key = proof.key();
    DeviceId id = proof.deviceId();
    if (error != null || key == null || id == null) {
      ErrorCode code = error == null ? ErrorCode.PUBLIC_KEY_INVALID : error;
      return new GateResult.Stopped(proofRule(code), code, proof.message(), a.deviceId());
    }
    Role role = a.role();
    ScopeSet requested;
    try {
      requested = ScopeSet.parse(a.scopes());
    } catch (PairgateException e) {
      return new GateResult.Stopped("R3.1", ErrorCode.INVALID_SCOPE, e.getMessage(), id.value());
    }
    for (Scope s : requested) {
      if (!settings.policy().admissible(role, s)) {
        return new GateResult.Stopped("R3.1", ErrorCode.INVALID_SCOPE,
            "scope " + s + " can never be held by role " + role, id.value());
      }
    }
    return new GateResult.Passed(a, id, key, role, requested);
  }

  /**
   * R16: input limits and signed-field characters, forwarding headers from an untrusted peer
   * (with rejectUntrustedForwarded) and the browser Origin, before the proof.
   */
  private GateResult.@Nullable Stopped admission(ConnectAttempt a, AttemptFacts facts) {
    Optional<InputLimits.Violation> v = InputLimits.check(a);
    if (v.isPresent()) {
      String rule = v.get().code() == ErrorCode.FIELD_TOO_LONG ? "R16.1" : "R16.2";
      return new GateResult.Stopped(rule, v.get().code(), v.get().message(), safeId(a.deviceId()));
    }
    ClientAddress address = facts.address();
    if (settings.rejectUntrustedForwarded() && address.untrustedForwarding()) {
      String m = "proxy client attribution is required: forwarding headers came from "
          + (address.peer().isEmpty() ? "an unknown peer" : address.peer())
          + ", which is not a trusted proxy; configure trustedProxies narrowly";
      return new GateResult.Stopped(
          "R16.3", ErrorCode.PROXY_ATTRIBUTION_REQUIRED, m, safeId(a.deviceId()));
    }
    if (facts.browserOrigin()) {
      Optional<String> why =
          BrowserOrigin.refusal(a.headers(), a.scheme(), settings.allowedOrigins(),
              settings.gatewayHosts());
      if (why.isPresent()) {
        return new GateResult.Stopped(
            "R16.4", ErrorCode.ORIGIN_NOT_ALLOWED, why.get(), safeId(a.deviceId()));
      }
    }
    return null;
  }

  private static String proofRule(ErrorCode code) {
    return switch (code) {
      case DEVICE_ID_MISMATCH -> "R1.3.2";
      case SIGNATURE_EXPIRED -> "R1.3.4";
      case NONCE_REQUIRED -> "R1.3.5";
      case NONCE_MISMATCH -> "R1.3.6";
      case SIGNATURE_INVALID -> "R1.3.7";
      default -> "R1.3.1";
    };
  }

  /** A claimed device id safe for logs: as is when well-formed, else sanitized and shortened. */
  static String safeId(String claimed) {
    if (DeviceId.isWellFormed(claimed)) {
      return claimed;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < claimed.length() && i < 64; i++) {
      char c = claimed.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c); // C1 too: 0x9b is a terminal CSI
    }
    return claimed.length() > 64 ? b.append("...").toString() : b.toString();
  }
}
