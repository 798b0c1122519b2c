package io.pairgate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The answer to a connect: {@link Allowed}, {@link PairingRequired} or {@link Rejected}. On Java 17
 * use {@code instanceof} patterns or {@link #fold}.
 */
public sealed interface ConnectResult
    permits ConnectResult.Allowed, ConnectResult.PairingRequired, ConnectResult.Rejected {

  /** WebSocket close code for policy violations, used for every refusal. */
  int POLICY_VIOLATION = 1008;

  /** The most UTF-8 bytes a WebSocket close reason may have (RFC 6455 §5.5). */
  int MAX_CLOSE_REASON_BYTES = 123;

  /**
   * Any text made safe for a WebSocket close frame: cut to at most
   * {@value #MAX_CLOSE_REASON_BYTES} UTF-8 bytes on a code-point boundary (never half a
   * character). {@link Rejected#closeReason()} and {@link PairingRequired#closeReason()} already
   * are; use this for a gateway's own close reasons.
   *
   * @param text the reason
   * @return {@code text}, or its longest prefix that fits
   */
  static String wireSafeCloseReason(String text) {
    return CloseReasons.cut(text, MAX_CLOSE_REASON_BYTES);
  }

  /** Which of the three answers a result is; {@link Explanation#outcome()} uses it too. */
  enum Kind {
    /** {@link Allowed}. */
    ALLOWED,
    /** {@link PairingRequired}. */
    PAIRING_REQUIRED,
    /** {@link Rejected}. */
    REJECTED
  }

  /** Which of the three answers this is. */
  Kind kind();

  /** The device id the result is about (as claimed, for rejections before the key was checked). */
  String deviceId();

  /** Applies the function matching this result's kind. */
  <T> T fold(
      Function<Allowed, T> allowed,
      Function<PairingRequired, T> pairingRequired,
      Function<Rejected, T> rejected);

  /**
   * The device may connect.
   *
   * @param deviceId the device
   * @param role the granted role
   * @param scopes the session's scopes: exactly what was requested (never more)
   * @param token the device token for the role as stored (reused, widened or newly issued); its
   *     secret is not in it
   * @param secret the token's secret, present when this connect minted it (a new device, a token
   *     that awaited issue after an approval, a revoked or missing token) or when the client
   *     authenticated with it ({@link AuthMethod#DEVICE_TOKEN}); send it to the client (OpenClaw's
   *     {@code hello-ok.auth.deviceToken}). Empty when an existing token was reused under another
   *     authentication: Pairgate keeps only its hash, so the client keeps the secret it holds.
   * @param tokenIssued whether the token's secret or scopes changed in this connect
   */
  record Allowed(
      String deviceId,
      Role role,
      ScopeSet scopes,
      DeviceToken token,
      Optional<TokenSecret> secret,
      boolean tokenIssued)
      implements ConnectResult {
    @Override
    public <T> T fold(
        Function<Allowed, T> allowed,
        Function<PairingRequired, T> pairingRequired,
        Function<Rejected, T> rejected) {
      return allowed.apply(this);
    }

    /** Always {@link Kind#ALLOWED}. */
    @Override
    public Kind kind() {
      return Kind.ALLOWED;
    }
  }

  /** What happened to the device's pending request in a {@link PairingRequired} connect. */
  enum RequestChange {
    /** A new request was created. */
    CREATED,
    /** The existing request covers the connect; its expiry was extended (and stored). */
    REFRESHED,
    /** The existing request covers the connect and was refreshed recently; nothing was written. */
    UNCHANGED,
    /** A wider request replaced the previous one under a new id. */
    SUPERSEDED
  }

  /**
   * The device needs an operator's approval; close the connection with {@link #closeCode()}.
   *
   * @param deviceId the device
   * @param reason why
   * @param requestId the pending request to approve (stable while the device asks for no more)
   * @param requestChange what this connect did to the pending request
   * @param requestedRole the role of this connect
   * @param requestedScopes the scopes of this connect
   * @param approvedRoles the device's approved roles; empty when it is not paired with this key
   * @param approvedScopes the approved baseline; null when the device is not paired with this key
   * @param missingScopes requested scopes the baseline does not imply
   * @param retryAfter how long the client should wait before reconnecting; grows while the same
   *     request stays pending
   */
  record PairingRequired(
      String deviceId,
      UpgradeReason reason,
      RequestId requestId,
      RequestChange requestChange,
      Role requestedRole,
      ScopeSet requestedScopes,
      List<Role> approvedRoles,
      @Nullable ScopeSet approvedScopes,
      List<Scope> missingScopes,
      Duration retryAfter)
      implements ConnectResult {

    /** Copies the lists. */
    public PairingRequired {
      approvedRoles = List.copyOf(approvedRoles);
      missingScopes = List.copyOf(missingScopes);
    }

    /** Always {@code "PAIRING_REQUIRED"}. */
    public String code() {
      return "PAIRING_REQUIRED";
    }

    /** {@code "pairing required: <requirement>"}. */
    public String message() {
      return "pairing required: " + reason.requirement();
    }

    /** What the operator should do. */
    public String remediationHint() {
      return reason.remediationHint();
    }

    /** {@value ConnectResult#POLICY_VIOLATION}. */
    public int closeCode() {
      return POLICY_VIOLATION;
    }

    /**
     * The WebSocket close reason, safe to put on the wire as is: OpenClaw's pattern
     * {@code pairing required: <text> (requestId: <id>)}, at most {@value #MAX_CLOSE_REASON_BYTES}
     * UTF-8 bytes (RFC 6455), cut on a code-point boundary. It always ends with the whole
     * {@code (requestId: <id>)}, because clients read the request id from there: when the reason
     * would be too long, the text between {@code "pairing required: "} and the id is shortened,
     * never the id (a {@link RequestId} has at most {@value InputLimits#REQUEST_ID} characters, so
     * it always fits).
     */
    public String closeReason() {
      return CloseReasons.withWholeSuffix(
          "pairing required: ", reason.requirement(), " (requestId: " + requestId + ")",
          "pairing required (request id too long for a close reason)");
    }

    @Override
    public <T> T fold(
        Function<Allowed, T> allowed,
        Function<PairingRequired, T> pairingRequired,
        Function<Rejected, T> rejected) {
      return pairingRequired.apply(this);
    }

    /** Always {@link Kind#PAIRING_REQUIRED}. */
    @Override
    public Kind kind() {
      return Kind.PAIRING_REQUIRED;
    }
  }

  /**
   * The connect is refused for a reason no approval can fix as is (a bad proof, a blocked device, a
   * bad token, an invalid scope, too many pending requests).
   *
   * @param deviceId the claimed device id
   * @param code the typed cause
   * @param message a human-readable explanation
   */
  record Rejected(String deviceId, ErrorCode code, String message) implements ConnectResult {
    /** {@value ConnectResult#POLICY_VIOLATION}. */
    public int closeCode() {
      return POLICY_VIOLATION;
    }

    /**
     * The WebSocket close reason, safe to put on the wire as is: {@link #message()} cut to at most
     * {@value ConnectResult#MAX_CLOSE_REASON_BYTES} UTF-8 bytes on a code-point boundary.
     */
    public String closeReason() {
      return CloseReasons.cut(message, MAX_CLOSE_REASON_BYTES);
    }

    @Override
    public <T> T fold(
        Function<Allowed, T> allowed,
        Function<PairingRequired, T> pairingRequired,
        Function<Rejected, T> rejected) {
      return rejected.apply(this);
    }

    /** Always {@link Kind#REJECTED}. */
    @Override
    public Kind kind() {
      return Kind.REJECTED;
    }
  }
}
