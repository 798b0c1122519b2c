package io.pairgate.store.jdbc;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairingService;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import java.util.List;

/** Real signed connects, as a device does them: challenge, v3 payload, Ed25519 signature. */
final class Devices {
  static final ClientInfo CLIENT = ClientInfo.of("cli", "cli", "linux");

  private Devices() {}

  /**
   * A private IPv4 address derived from the device id, so that the service's per-address limit on
   * pending requests (16 by default) does not throttle a test that pairs many devices at once.
   */
  static String address(DeviceKeyPair key) {
    int h = key.deviceId().value().hashCode();
    return "10." + ((h >>> 16) & 0xff) + "." + ((h >>> 8) & 0xff) + "." + (h & 0xff);
  }

  /** Connects through {@code service} with shared-token auth (no device token). */
  static ConnectResult connect(PairingService service, DeviceKeyPair key, Role role,
      List<String> scopes) {
    return connect(service, key, role, scopes, AuthMethod.SHARED_TOKEN, "");
  }

  /** Connects through {@code service}; the challenge is issued by the same service. */
  static ConnectResult connect(PairingService service, DeviceKeyPair key, Role role,
      List<String> scopes, AuthMethod auth, String token) {
    Challenge ch = service.issueChallenge();
    long signedAt = ch.issuedAt().toEpochMilli();
    String id = key.deviceId().value();
    String payload = ProofPayload.v3(id, CLIENT.clientId(), CLIENT.clientMode(), role.name(),
        scopes, signedAt, token, ch.nonce(), CLIENT.platform(), CLIENT.deviceFamily());
    ConnectAttempt a = ConnectAttempt.builder()
        .device(id, key.publicKey().base64Url())
        .role(role)
        .scopes(scopes)
        .client(CLIENT)
        .proof(key.sign(payload), signedAt, ch.nonce())
        .challenge(ch)
        .auth(auth, token)
        .peerAddress(address(key))
        .build();
    return service.connect(a);
  }
}
