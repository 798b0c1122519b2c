package io.pairgate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

/** A service on an in-memory store with a controllable clock, plus signing devices. */
final class Fixture {
  final VirtualClock clock = VirtualClock.at(1_700_000_000_000L);
  final InMemoryPairingStore store = new InMemoryPairingStore();
  final PairingService service;

  Fixture() {
    this(b -> b);
  }

  Fixture(java.util.function.UnaryOperator<PairingServiceBuilder> configure) {
    this.service = configure.apply(PairingService.builder(store).clock(clock)).build();
  }

  static DeviceKeyPair key(String seed) {
    try {
      return DeviceKeyPair.fromSeed(
          MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A signed attempt with a fresh challenge (v3 payload, shared-token auth). */
  ConnectAttempt attempt(DeviceKeyPair key, Role role, List<String> scopes, ClientInfo client) {
    return attempt(key, role, scopes, client, AuthMethod.SHARED_TOKEN, "");
  }

  ConnectAttempt attempt(
      DeviceKeyPair key, Role role, List<String> scopes, ClientInfo client, AuthMethod auth,
      String token) {
    return attempt(key, role, scopes, client, auth, token, "203.0.113.7", java.util.Map.of());
  }

  /** A signed attempt from a given socket peer with given headers. */
  ConnectAttempt attempt(
      DeviceKeyPair key, Role role, List<String> scopes, ClientInfo client, AuthMethod auth,
      String token, String peer, java.util.Map<String, String> headers) {
    Challenge c = service.issueChallenge();
    long signedAt = clock.millis();
    String payload = ProofPayload.v3(
        key.deviceId().value(), client.clientId(), client.clientMode(), role.name(), scopes,
        signedAt, token, c.nonce(), client.platform(), client.deviceFamily());
    return ConnectAttempt.builder()
        .device(key.deviceId().value(), key.publicKey().base64Url())
        .role(role)
        .scopes(scopes)
        .client(client)
        .proof(key.sign(payload), signedAt, c.nonce())
        .challenge(c)
        .auth(auth, token)
        .peerAddress(peer)
        .headers(headers)
        .build();
  }

  static final ClientInfo CLI = ClientInfo.of("cli", "cli", "linux");

  ConnectResult connect(DeviceKeyPair key, String... scopes) {
    return service.connect(attempt(key, Role.OPERATOR, List.of(scopes), CLI));
  }

  ConnectResult connect(DeviceKeyPair key, Role role, String... scopes) {
    return service.connect(attempt(key, role, List.of(scopes), CLI));
  }

  ConnectResult.PairingRequired pairingRequired(ConnectResult r) {
    if (r instanceof ConnectResult.PairingRequired p) {
      return p;
    }
    throw new AssertionError("expected pairing required, got " + r);
  }

  ConnectResult.Allowed allowed(ConnectResult r) {
    if (r instanceof ConnectResult.Allowed a) {
      return a;
    }
    throw new AssertionError("expected allowed, got " + r);
  }

  ConnectResult.Rejected rejected(ConnectResult r) {
    if (r instanceof ConnectResult.Rejected x) {
      return x;
    }
    throw new AssertionError("expected rejected, got " + r);
  }

  /** Connects, approves as admin, and returns the approval. */
  Approval pair(DeviceKeyPair key, Role role, String... scopes) {
    ConnectResult.PairingRequired p = pairingRequired(connect(key, role, scopes));
    return service.approve(p.requestId(), Approver.admin("test"));
  }

  /**
   * Pairs as {@link #pair} and collects the device token with one shared-auth connect (an
   * approval stores no secret: the next allowed connect mints and delivers it); returns the
   * secret.
   */
  String pairAndCollect(DeviceKeyPair key, Role role, String... scopes) {
    pair(key, role, scopes);
    ConnectResult.Allowed a = allowed(connect(key, role, scopes));
    return a.secret().orElseThrow(() -> new AssertionError("no secret delivered: " + a)).value();
  }

  void advance(Duration d) {
    clock.advance(d);
  }
}
