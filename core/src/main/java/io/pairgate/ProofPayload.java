package io.pairgate;

import java.util.List;

/**
 * Builds the exact strings a device signs to prove key possession, byte-compatible with OpenClaw.
 * Fields are joined with {@code |}; scopes are joined with {@code ,} in the order sent.
 *
 * <ul>
 *   <li>v2: {@code v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce}
 *   <li>v3: v2's fields then {@code |platform|deviceFamily}, both trimmed and ASCII-lowercased
 *       (empty slots kept)
 * </ul>
 *
 * The gateway verifies v3 first and falls back to v2.
 */
public final class ProofPayload {
  private ProofPayload() {}

  /** The v2 payload. {@code token} and {@code nonce} may be empty. */
  public static String v2(String deviceId, String clientId, String clientMode, String role,
      List<String> scopes, long signedAtMs, String token, String nonce) {
    return "v2|" + deviceId + '|' + clientId + '|' + clientMode + '|' + role + '|'
        + String.join(",", scopes) + '|' + signedAtMs + '|' + token + '|' + nonce;
  }

  /** The v3 payload: v2's fields plus normalized platform and device family. */
  public static String v3(
      String deviceId,
      String clientId,
      String clientMode,
      String role,
      List<String> scopes,
      long signedAtMs,
      String token,
      String nonce,
      String platform,
      String deviceFamily) {
    return "v3" + v2(deviceId, clientId, clientMode, role, scopes, signedAtMs, token, nonce)
            .substring(2)
        + '|' + ClientInfo.normalizeMetadata(platform) + '|'
        + ClientInfo.normalizeMetadata(deviceFamily);
  }

  /** The v3 payload of an attempt (what a current client signs). */
  public static String v3(ConnectAttempt a) {
    return v3(
        a.deviceId(), a.client().clientId(), a.client().clientMode(), a.role().name(), a.scopes(),
        a.signedAtMs(), a.token(), a.nonce(), a.client().platform(), a.client().deviceFamily());
  }

  /** The v2 payload of an attempt (what an older client signs). */
  public static String v2(ConnectAttempt a) {
    return v2(
        a.deviceId(), a.client().clientId(), a.client().clientMode(), a.role().name(), a.scopes(),
        a.signedAtMs(), a.token(), a.nonce());
  }
}
