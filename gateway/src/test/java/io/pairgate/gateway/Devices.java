package io.pairgate.gateway;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.util.List;

/** A test device: a fresh Ed25519 key, signing connects with core's {@link ConnectProof}. */
final class Devices {
  final DeviceKeyPair key = DeviceKeyPair.generate(RandomSource.secure());
  ClientInfo client = ClientInfo.of("cli", "cli", "linux");
  ConnectProof.PayloadVersion version = ConnectProof.PayloadVersion.V3;

  String id() {
    return key.deviceId().value();
  }

  ConnectProof sign(String nonce, Role role, List<String> scopes, AuthMethod auth, String token) {
    return ConnectProof.builder(key, Clock.systemUTC())
        .role(role)
        .scopes(scopes)
        .client(client)
        .auth(auth, token)
        .payloadVersion(version)
        .sign(nonce);
  }
}
