package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.spi.DeviceRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 (security): every test performs an attack or plants a bad input and asserts both the
 * refusal and that nothing was written to the store. docs/security.md lists these tests.
 */
class SecurityTest {
  private final DeviceKeyPair alice = Fixture.key("alice");
  private final DeviceKeyPair mallory = Fixture.key("mallory");

  /** A connect attempt under construction, signed when built (v3 unless told otherwise). */
  static final class Att {
    final Fixture f;
    final DeviceKeyPair key;
    Role role = Role.OPERATOR;
    List<String> scopes = List.of("operator.read");
    ClientInfo client = Fixture.CLI;
    AuthMethod auth = AuthMethod.SHARED_TOKEN;
    String token = "";
    String peer = "203.0.113.7";
    Map<String, String> headers = new LinkedHashMap<>();
    String publicKey;
    String deviceId;
    long signedAgoMs;
    boolean v2;
    Challenge challenge;
    String nonce;
    String signatureOverride;

    Att(Fixture f, DeviceKeyPair key) {
      this.f = f;
      this.key = key;
      this.publicKey = key.publicKey().base64Url();
      this.deviceId = key.deviceId().value();
      this.challenge = f.service.issueChallenge();
      this.nonce = challenge.nonce();
    }

    Att scopes(String... s) {
      scopes = List.of(s);
      return this;
    }

    Att client(ClientInfo c) {
      client = c;
      return this;
    }

    Att auth(AuthMethod a, String t) {
      auth = a;
      token = t;
      return this;
    }

    Att from(String p) {
      peer = p;
      return this;
    }

    Att header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Att role(Role r) {
      role = r;
      return this;
    }

    ConnectAttempt build() {
      long at = f.clock.millis() - signedAgoMs;
      String payload = v2
          ? ProofPayload.v2(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
              at, token, nonce)
          : ProofPayload.v3(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
              at, token, nonce, client.platform(), client.deviceFamily());
      String sig = signatureOverride != null ? signatureOverride : key.sign(payload);
      return ConnectAttempt.builder().device(deviceId, publicKey).role(role).scopes(scopes)
          .client(client).proof(sig, at, nonce).challenge(challenge).auth(auth, token)
          .peerAddress(peer).headers(headers).build();
    }

    ConnectResult connect() {
      return f.service.connect(build());
    }
  }

  /** Every record of the store, with its version: equal snapshots mean nothing was written. */
  static List<DeviceRecord> snapshot(Fixture f) {
    return new ArrayList<>(f.store.list("", Integer.MAX_VALUE));
  }

  static Fixture fixture(UnaryOperator<PairingService.Builder> b) {
    return new Fixture(b);
  }

  private static ConnectResult.Rejected rejected(ConnectResult r, ErrorCode code) {
    ConnectResult.Rejected x = assertInstanceOf(ConnectResult.Rejected.class, r, r::toString);
    assertEquals(code, x.code(), x.toString());
    return x;
  }

  // ---------------------------------------------------------------------------------------------
  // item 14: a nonce is consumed by any attempt that presented it (R1.4)

  @Test
  void item14_aNoncePresentedWithAStaleSignatureCannotBeReplayed() {
    Fixture f = fixture(b -> b);
    Att stale = new Att(f, alice);
    stale.signedAgoMs = 10 * 60_000;
    List<DeviceRecord> before = snapshot(f);
    rejected(stale.connect(), ErrorCode.SIGNATURE_EXPIRED);
    Att replay = new Att(f, alice);
    replay.challenge = stale.challenge;
    replay.nonce = stale.nonce;
    rejected(replay.connect(), ErrorCode.NONCE_MISMATCH);
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item14_everyEarlyFailureConsumesTheNonce() {
    Fixture f = fixture(b -> b);
    List<UnaryOperator<Att>> failures = List.of(
        a -> { a.publicKey = "not-a-key"; return a; },
        a -> { a.deviceId = mallory.deviceId().value(); return a; },
        a -> { a.signedAgoMs = -10 * 60_000; return a; },
        a -> { a.signatureOverride = "AAAA"; return a; },
        a -> { a.scopes = List.of("node.exec"); return a; });
    List<DeviceRecord> before = snapshot(f);
    for (UnaryOperator<Att> failure : failures) {
      Att first = failure.apply(new Att(f, alice));
      assertInstanceOf(ConnectResult.Rejected.class, first.connect());
      Att replay = new Att(f, alice);
      replay.challenge = first.challenge;
      replay.nonce = first.nonce;
      rejected(replay.connect(), ErrorCode.NONCE_MISMATCH);
    }
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item14_anAttemptAlsoUsesUpItsConnectionsChallenge() {
    Fixture f = fixture(b -> b);
    Att wrong = new Att(f, alice);
    wrong.nonce = "00000000-0000-4000-8000-00000000beef";
    rejected(wrong.connect(), ErrorCode.NONCE_MISMATCH);
    Att again = new Att(f, alice);
    again.challenge = wrong.challenge;
    again.nonce = wrong.challenge.nonce();
    rejected(again.connect(), ErrorCode.NONCE_MISMATCH);
    assertTrue(snapshot(f).isEmpty());
  }

  @Test
  void item14_explainConsumesNothing() {
    Fixture f = fixture(b -> b);
    Att a = new Att(f, alice);
    a.signedAgoMs = 10 * 60_000;
    f.service.explain(a.build());
    a.signedAgoMs = 0;
    assertInstanceOf(ConnectResult.PairingRequired.class, a.connect());
  }

  // ---------------------------------------------------------------------------------------------
  // item 15: a wrong secret answers token-mismatch whether or not the role was revoked (R7)

  @Test
  void item15_wrongSecretOnARevokedRoleIsTokenMismatch() {
    Fixture f = fixture(b -> b);
    Approval ap = f.pair(alice, Role.OPERATOR, "operator.read");
    String secret = ap.device().token(Role.OPERATOR).secret();
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    List<DeviceRecord> before = snapshot(f);
    String wrong = "B".repeat(43);
    rejected(new Att(f, alice).auth(AuthMethod.DEVICE_TOKEN, wrong).connect(),
        ErrorCode.TOKEN_MISMATCH);
    assertEquals(TokenCheck.MISMATCH, f.service.verifyToken(
        alice.deviceId(), Role.OPERATOR, wrong, ScopeSet.empty()));
    // only the holder of the right secret learns of the revocation
    rejected(new Att(f, alice).auth(AuthMethod.DEVICE_TOKEN, secret).connect(),
        ErrorCode.TOKEN_REVOKED);
    assertEquals(TokenCheck.REVOKED, f.service.verifyToken(
        alice.deviceId(), Role.OPERATOR, secret, ScopeSet.empty()));
    assertEquals(before, snapshot(f), "nothing was written");
    assertFalse(f.service.list().pending().size() > 0);
  }
}
