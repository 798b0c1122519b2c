package io.pairgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectProofTest {
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
  static final ClientInfo MAC = ClientInfo.of("openclaw-macos", "ui", " macOS 14.4 ")
      .withDeviceFamily("Mac");

  final PairingService service =
      PairingService.builder(new InMemoryPairingStore()).clock(CLOCK).build();
  final DeviceIdentity identity = DeviceIdentity.of(DeviceIdentityTest.seedKey(0), CLOCK.instant());

  ConnectProof.Builder request(String... scopes) {
    return ConnectProof.builder(identity, CLOCK).role(Role.OPERATOR).scopes(scopes).client(MAC)
        .auth(AuthMethod.SHARED_TOKEN, "shared-secret");
  }

  @Test
  void signsExactlyTheV3PayloadTheGatewayVerifies() {
    ConnectProof p = request("operator.write", "operator.read").sign("nonce-1");
    assertEquals(ProofPayload.v3(identity.deviceId().value(), "openclaw-macos", "ui", "operator",
        List.of("operator.write", "operator.read"), CLOCK.millis(), "shared-secret", "nonce-1",
        "macos 14.4", "mac"), p.payload());
    assertTrue(p.payload().startsWith("v3|"));
    assertFalse(p.toString().contains("shared-secret"));
  }

  @Test
  void clientProofGetsPairingRequiredThenAllowedAfterApproval() {
    Challenge c1 = service.issueChallenge();
    ConnectResult first = service.connect(
        request("operator.read").sign(c1).toAttempt(c1).peerAddress("127.0.0.1").build());
    ConnectResult.PairingRequired p = assertInstanceOf(ConnectResult.PairingRequired.class, first);
    assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
    assertEquals(identity.deviceId().value(), p.deviceId());

    service.approve(p.requestId(), Approver.admin("test"));
    Challenge c2 = service.issueChallenge();
    ConnectResult second = service.connect(request("operator.read").sign(c2).toAttempt(c2).build());
    ConnectResult.Allowed a = assertInstanceOf(ConnectResult.Allowed.class, second);
    assertEquals(ScopeSet.of("operator.read"), a.scopes());

    // and the issued device token, sent back by a client from its cache, verifies too
    TokenCache cache = TokenCache.inMemory(CLOCK);
    TokenCache.CachedToken cached = cache.remember("gw", a).orElseThrow();
    Challenge c3 = service.issueChallenge();
    ConnectResult third = service.connect(
        request("operator.read").deviceToken(cached).sign(c3).toAttempt(c3).build());
    assertInstanceOf(ConnectResult.Allowed.class, third);
  }

  @Test
  void v2ProofIsAcceptedAsFallback() {
    Challenge c = service.issueChallenge();
    ConnectProof proof = request("operator.read").payloadVersion(ConnectProof.PayloadVersion.V2).sign(c);
    assertTrue(proof.payload().startsWith("v2|"));
    assertInstanceOf(ConnectResult.PairingRequired.class, service.connect(proof.toAttempt(c).build()));
  }

  static Stream<Arguments> mutations() {
    return Stream.of(
        Arguments.of("scope added", (UnaryOperator<ConnectProof>) p -> with(p, b -> b.scopes("operator.read", "operator.admin"))),
        Arguments.of("scopes reordered", (UnaryOperator<ConnectProof>) p -> with(p, b -> b.scopes("operator.write", "operator.read"))),
        Arguments.of("role changed", (UnaryOperator<ConnectProof>) p -> with(p, b -> b.role(Role.NODE).scopes())),
        Arguments.of("platform changed", (UnaryOperator<ConnectProof>) p -> with(p, b -> b.client(MAC.withPlatform("linux")))),
        Arguments.of("token changed", (UnaryOperator<ConnectProof>) p -> with(p, b -> b.auth(AuthMethod.SHARED_TOKEN, "other"))),
        Arguments.of("signature bit flipped", (UnaryOperator<ConnectProof>) p -> new ConnectProof(
            p.deviceId(), p.publicKey(), p.role(), p.scopes(), p.client(), p.auth(), p.token(),
            p.nonce(), p.signedAtMs(), p.payloadVersion(), flip(p.signature()))));
  }

  /** The attempt carries the mutated fields but the original signature. */
  private static ConnectProof with(ConnectProof p, UnaryOperator<ConnectAttemptFields> change) {
    ConnectAttemptFields f = change.apply(new ConnectAttemptFields(p));
    return new ConnectProof(p.deviceId(), p.publicKey(), f.role, f.scopes, f.client, f.auth, f.token,
        p.nonce(), p.signedAtMs(), p.payloadVersion(), p.signature());
  }

  static final class ConnectAttemptFields {
    Role role;
    List<String> scopes;
    ClientInfo client;
    AuthMethod auth;
    String token;

    ConnectAttemptFields(ConnectProof p) {
      role = p.role();
      scopes = p.scopes();
      client = p.client();
      auth = p.auth();
      token = p.token();
    }

    ConnectAttemptFields role(Role r) {
      role = r;
      return this;
    }

    ConnectAttemptFields scopes(String... s) {
      scopes = List.of(s);
      return this;
    }

    ConnectAttemptFields client(ClientInfo c) {
      client = c;
      return this;
    }

    ConnectAttemptFields auth(AuthMethod a, String t) {
      auth = a;
      token = t;
      return this;
    }
  }

  private static String flip(String sig) {
    char c = sig.charAt(10);
    return sig.substring(0, 10) + (c == 'A' ? 'B' : 'A') + sig.substring(11);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void mutatedProofIsRejectedAsSignatureInvalid(String name, UnaryOperator<ConnectProof> mutate) {
    Challenge c = service.issueChallenge();
    ConnectProof good = request("operator.read", "operator.write").sign(c);
    ConnectAttempt bad = mutate.apply(good).toAttempt(c).build();
    ConnectResult.Rejected r = assertInstanceOf(ConnectResult.Rejected.class, service.connect(bad));
    assertEquals(ErrorCode.SIGNATURE_INVALID, r.code(), r.message());
    assertTrue(service.list().pending().isEmpty(), "a bad proof creates no request");
  }

  @Test
  void emptyNonceIsRefused() {
    PairgateException e = assertThrows(PairgateException.class, () -> request().sign(" "));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }
}
