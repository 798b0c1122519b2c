package io.pairgate.cli;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A minimal embedded gateway for tests: opens the store-json directory for each connect (as a
 * separate gateway process would see it), and connects devices with real proofs.
 */
final class TestGateway {
  static final ClientInfo CLIENT = ClientInfo.of("cli", "cli", "linux");
  /** Where the CLI tests start their {@link io.pairgate.VirtualClock}. */
  static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
  final Path store;
  final Clock clock;

  TestGateway(Path store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  ConnectResult connect(DeviceIdentity device, String... scopes) {
    return connect(device, Role.OPERATOR, AuthMethod.SHARED_TOKEN, "", List.of(scopes));
  }

  ConnectResult connect(DeviceIdentity device, Role role, AuthMethod auth, String token,
      List<String> scopes) {
    try (JsonPairingStore s = JsonPairingStore.open(store)) {
      PairingService service = PairingService.builder(s).clock(clock).build();
      Challenge c = service.issueChallenge();
      ConnectProof proof = ConnectProof.builder(device, clock).role(role).scopes(scopes)
          .client(CLIENT).auth(auth, token).sign(c);
      return service.connect(proof.toAttempt(c).peerAddress("192.0.2.10").build());
    }
  }

  String pairingRequired(DeviceIdentity device, String... scopes) {
    ConnectResult r = connect(device, scopes);
    if (r instanceof ConnectResult.PairingRequired p) {
      return p.requestId().value();
    }
    throw new AssertionError("expected pairing required, got " + r);
  }

  ConnectResult.Allowed allowed(DeviceIdentity device, String... scopes) {
    ConnectResult r = connect(device, scopes);
    if (r instanceof ConnectResult.Allowed a) {
      return a;
    }
    throw new AssertionError("expected allowed, got " + r);
  }

  static DeviceIdentity device(int n, Clock clock) {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (n * 31 + i);
    }
    return DeviceIdentity.of(io.pairgate.DeviceKeyPair.fromSeed(seed), clock.instant());
  }
}
