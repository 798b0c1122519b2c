package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.client.ConnectProof;
import io.pairgate.policy.IpAddress;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.ResolvedRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The error model's "throw at the API edge" half: every public parsing entry point answers bad
 * input with {@link InvalidArgumentException} (a {@link PairgateException}) carrying a typed code,
 * never an {@link IllegalArgumentException}, and its message shows the input only escaped.
 */
class ErrorModelTest {

  private static InvalidArgumentException invalid(ErrorCode code, Executable call) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, call);
    assertEquals(code, e.code(), e.getMessage());
    assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl),
        "control characters must be escaped: " + e.getMessage());
    return e;
  }

  private static InvalidArgumentException invalid(Executable call) {
    return invalid(ErrorCode.INVALID_ARGUMENT, call);
  }

  @Test
  void everyWireNameParserThrowsTheTypedError() {
    for (String bad : List.of("", "nope", "SHARED_TOKEN", "\u001b[31m")) {
      invalid(() -> ErrorCode.fromWireName(bad));
      invalid(() -> AuthMethod.fromWireName(bad));
      invalid(() -> UpgradeReason.fromWireName(bad));
      invalid(() -> ResolvedRequest.Resolution.fromWireName(bad));
    }
    assertEquals(ErrorCode.TOO_MANY_PENDING, ErrorCode.fromWireName("too-many-pending"));
    assertEquals(AuthMethod.DEVICE_TOKEN, AuthMethod.fromWireName("device-token"));
  }

  @Test
  void valueTypeParsersThrowTheTypedError() {
    invalid(() -> Role.of("Operator"));
    invalid(() -> Role.of(""));
    invalid(() -> Role.of("x".repeat(65)));
    invalid(ErrorCode.INVALID_SCOPE, () -> Scope.of("bad scope"));
    invalid(ErrorCode.INVALID_SCOPE, () -> ScopeSet.of("operator.read", "a|b"));
    invalid(() -> DeviceId.parse("ABC"));
    invalid(() -> DeviceId.parse("0".repeat(63)));
    invalid(() -> TokenHash.parse("sha256:short"));
    invalid(() -> TokenHash.parse("md5:" + "A".repeat(43)));
    invalid(ErrorCode.PUBLIC_KEY_INVALID, () -> DevicePublicKey.parse("not a key"));
    invalid(() -> IpAddress.parse("300.1.1.1"));
    invalid(() -> IpRange.parse("10.0.0.0/33"));
  }

  @Test
  void requestIdsAreOneTo64CharactersOfAsciiLettersDigitsDashAndUnderscore() {
    String uuid = UUID.randomUUID().toString();
    assertEquals(uuid, RequestId.of(uuid).value());                       // what the service mints
    assertEquals("req_1-A", RequestId.of("req_1-A").toString());
    assertEquals(64, RequestId.of("a".repeat(InputLimits.REQUEST_ID)).value().length());
    for (String bad : List.of("", "a".repeat(65), "has space", "dot.ted", "colon:x", "sl/ash",
        "ünï", "new\nline", "\u009b31m")) {
      invalid(() -> RequestId.of(bad));
      assertFalse(RequestId.isWellFormed(bad), bad);
    }
    assertFalse(RequestId.isWellFormed(null));
    assertEquals(null, RequestId.ofEmptyAsNull(""));
    assertEquals(RequestId.of("r-1"), RequestId.ofEmptyAsNull("r-1"));
    invalid(() -> RequestId.ofEmptyAsNull(" "));
  }

  @Test
  void aBadRequestIdChangesNothing() {
    InMemoryPairingStore store = new InMemoryPairingStore();
    PairingService service = PairingService.builder(store).build();
    // parsing fails before the service is reached, so nothing can have been written
    invalid(() -> service.approve(RequestId.of("bad id"), Approver.admin("op")));
    assertTrue(service.list().pending().isEmpty());
    assertTrue(store.list("", 10).isEmpty());
  }

  @Test
  void abbreviatedInputEscapesControlCharactersQuotesAndBackslashes() {
    assertEquals("\"a\\x1b[31mb\\x0a\\x9bc\"", DeviceId.abbreviate("a\u001b[31mb\nc".replace("c", "\u009bc")));
    assertEquals("\"q\\\"b\\\\\"", DeviceId.abbreviate("q\"b\\"));
    String longText = "x".repeat(100);
    assertEquals('"' + "x".repeat(77) + "...\"", DeviceId.abbreviate(longText));
    InvalidArgumentException e = invalid(() -> DeviceId.parse("\u001b]0;owned\u0007"));
    assertTrue(e.getMessage().contains("\\x1b]0;owned\\x07"), e.getMessage());
  }

  @Test
  void aConnectProofNeedsAnExplicitRoleAndAuthMethod() {
    DeviceKeyPair key = DeviceKeyPair.fromSeed(new byte[32]);
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    InvalidArgumentException noRole = invalid(() -> ConnectProof.builder(key, clock)
        .scopes("operator.read").auth(AuthMethod.SHARED_TOKEN, "t").sign("nonce-1"));
    assertTrue(noRole.getMessage().contains("role(...)"), noRole.getMessage());
    InvalidArgumentException noAuth = invalid(() -> ConnectProof.builder(key, clock)
        .role(Role.OPERATOR).scopes("operator.read").sign("nonce-1"));
    assertTrue(noAuth.getMessage().contains("auth(...)"), noAuth.getMessage());
    ConnectProof ok = ConnectProof.builder(key, clock).role(Role.NODE)
        .auth(AuthMethod.NONE, "").sign("nonce-1");
    assertEquals(Role.NODE, ok.role());
    assertEquals(AuthMethod.NONE, ok.auth());
  }
}
