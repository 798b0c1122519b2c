package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The core findings of the fuzz targets (docs/security-fuzzing.md), each as a plain test; the
 * fuzz inputs themselves are replayed by the targets in every build.
 */
class FuzzFindingsTest {
  private final Fixture f = new Fixture();
  private final DeviceKeyPair alice = Fixture.key("alice");

  @Test
  void pemWhoseEndMarkerOverlapsTheBeginMarkerIsATypedRefusal() {
    // found by PublicKeyFuzzTest: threw StringIndexOutOfBoundsException
    PairgateException e = assertThrows(PairgateException.class,
        () -> DevicePublicKey.parse("-----BEGIN PUBLIC KEY--------END PUBLIC KEY-----"));
    assertEquals(ErrorCode.PUBLIC_KEY_INVALID, e.code());
  }

  @Test
  void aPipeInASignedFieldCannotShiftFieldsBetweenWhatWasSignedAndWhatIsShown() {
    // alice signs id "cli|x", mode "y"; the attacker presents id "cli", mode "x|y": same bytes
    Challenge c = f.service.issueChallenge();
    long at = f.clock.millis();
    String sig = alice.sign(ProofPayload.v3(alice.deviceId().value(), "cli|x", "y", "operator",
        List.of("operator.read"), at, "", c.nonce(), "linux", ""));
    ConnectAttempt shifted = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(alice.deviceId().value(), alice.publicKey().base64Url())
        .scopes("operator.read")
        .client(ClientInfo.of("cli", "x|y", "linux"))
        .proof(sig, at, c.nonce())
        .challenge(c)
        .peerAddress("203.0.113.7")
        .build();
    ConnectResult.Rejected r = f.rejected(f.service.connect(shifted));
    assertEquals(ErrorCode.INVALID_FIELD, r.code());
    assertTrue(f.store.load(alice.deviceId()).isEmpty(), "nothing written");
    // the nonce was consumed (R1.4): not even a clean proof over it is accepted now
    String clean = alice.sign(ProofPayload.v3(alice.deviceId().value(), "cli", "cli", "operator",
        List.of("operator.read"), at, "", c.nonce(), "linux", ""));
    ConnectAttempt retry = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(alice.deviceId().value(), alice.publicKey().base64Url())
        .scopes("operator.read")
        .client(ClientInfo.of("cli", "cli", "linux"))
        .proof(clean, at, c.nonce())
        .challenge(c)
        .peerAddress("203.0.113.7")
        .build();
    assertEquals(ErrorCode.NONCE_MISMATCH, f.rejected(f.service.connect(retry)).code());
  }

  @Test
  void controlCharactersInSignedFieldsAreRefusedAndCleanFieldsStillPair() {
    for (ClientInfo bad : List.of(ClientInfo.of("cli\n", "cli", "linux"),
        ClientInfo.of("cli", "cli", "linux\u009b2J"), ClientInfo.of("cli", "c\u0000li", ""))) {
      ConnectResult r = f.service.connect(f.attempt(alice, Role.OPERATOR, List.of(), bad));
      assertEquals(ErrorCode.INVALID_FIELD, f.rejected(r).code(), bad.toString());
    }
    assertTrue(f.store.load(alice.deviceId()).isEmpty());
    f.pairingRequired(f.connect(alice, "operator.read"));
  }

  @Test
  void aCommaInsideOneScopeIsRefused() {
    ConnectResult r = f.service.connect(
        f.attempt(alice, Role.OPERATOR, List.of("operator.read,operator.admin"), Fixture.CLI));
    assertTrue(r instanceof ConnectResult.Rejected, r.toString());
    assertTrue(f.store.load(alice.deviceId()).isEmpty());
    assertFalse(f.service.list().pending().stream().anyMatch(p -> p.deviceId().equals(alice.deviceId())));
  }
}
