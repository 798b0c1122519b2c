package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.AuthMethod;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.internal.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Every frame path of the handshake, driven by a real WebSocket client. */
class ConnectFramesTest extends GatewayTestBase {

  private void assertNothingStored() {
    assertTrue(store.list("", 10).isEmpty(), "the store must hold nothing");
  }

  @Test
  void firstFrameIsTheChallengeFromCore() {
    try (WsClient ws = WsClient.open(gw.url())) {
      JsonNode c = ws.next();
      assertEquals("event", c.path("type").asString());
      assertEquals("connect.challenge", c.path("event").asString());
      String nonce = c.path("payload").path("nonce").asString();
      assertFalse(nonce.isEmpty());
      assertTrue(c.path("payload").path("ts").isIntegralNumber());
      // the nonce is core's: a proof signed for another nonce is refused by core
      Devices d = new Devices();
      ConnectProof p = d.sign("some-other-nonce", Role.OPERATOR, List.of("operator.pairing"),
          AuthMethod.SHARED_TOKEN, TOKEN);
      JsonNode res = ws.call("connect", WsClient.connectParams(p, TOKEN));
      assertEquals("DEVICE_AUTH_NONCE_MISMATCH",
          res.path("error").path("details").path("code").asString(), res.toString());
      assertEquals(1008, ws.awaitClose().code());
    }
    assertNothingStored();
  }

  @Test
  void noConnectWithinTheTimeoutCloses() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      long t0 = System.nanoTime();
      WsClient.Close c = ws.awaitClose();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(1000, c.code());
      assertEquals("connect timeout", c.reason());
      assertTrue(ms >= 1000, "closed after " + ms + " ms, the timeout is 1500 ms");
    }
    assertNothingStored();
  }

  @Test
  void oversizeFrameClosesWith1009() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      String big = "{\"type\":\"req\",\"id\":\"1\",\"method\":\"connect\",\"params\":{\"pad\":\""
          + "x".repeat(70 * 1024) + "\"}}";
      ws.ws.sendText(big, true);
      assertEquals(1009, ws.awaitClose().code());
    }
    assertNothingStored();
  }

  @Test
  void frameJustUnderTheLimitIsParsed() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      ObjectNode params = Wire.object();
      params.put("pad", "x".repeat(60 * 1024));
      JsonNode res = ws.call("connect", params);
      assertTrue(res.path("error").path("message").asString().contains("invalid connect params"),
          res.toString());
    }
  }

  @Test
  void malformedJsonClosesWith1007AndStoresNothing() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      ws.sendText("{\"type\":\"req\",\"id\":\"1\",\"method\":\"connect\",\"params\":{");
      WsClient.Close c = ws.awaitClose();
      assertEquals(1007, c.code());
      assertTrue(c.reason().startsWith("malformed JSON"), c.reason());
      assertTrue(c.reason().getBytes(StandardCharsets.UTF_8).length <= 123);
    }
    assertNothingStored();
  }

  @Test
  void malformedJsonAfterConnectAlsoCloses1007() {
    Attempt a = pairAndConnect(new Devices(), "operator.pairing");
    long before = store.list("", 10).get(0).version();
    a.ws().sendText("[1,2");
    assertEquals(1007, a.ws().awaitClose().code());
    assertEquals(before, store.list("", 10).get(0).version(), "nothing written");
  }

  @Test
  void unknownConnectKeyIsInvalidRequest() {
    Devices d = new Devices();
    try (WsClient ws = WsClient.open(gw.url())) {
      String nonce = ws.challenge();
      ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of("operator.pairing"),
          AuthMethod.SHARED_TOKEN, TOKEN);
      ObjectNode params = WsClient.connectParams(p, TOKEN);
      params.put("pad", "x");
      JsonNode res = ws.call("connect", params);
      assertFalse(res.path("ok").asBoolean());
      assertEquals("INVALID_REQUEST", res.path("error").path("code").asString());
      assertEquals("invalid connect params: at root: unexpected property 'pad'",
          res.path("error").path("message").asString());
      assertEquals(1008, ws.awaitClose().code());
    }
    assertNothingStored();
  }

  @Test
  void unknownDeviceKeyIsInvalidRequest() {
    Devices d = new Devices();
    try (WsClient ws = WsClient.open(gw.url())) {
      String nonce = ws.challenge();
      ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of(), AuthMethod.SHARED_TOKEN, TOKEN);
      ObjectNode params = WsClient.connectParams(p, TOKEN);
      ((ObjectNode) params.get("device")).put("extra", 1);
      JsonNode res = ws.call("connect", params);
      assertEquals("INVALID_REQUEST", res.path("error").path("code").asString());
      assertTrue(res.path("error").path("message").asString()
          .contains("/device: unexpected property 'extra'"), res.toString());
    }
    assertNothingStored();
  }

  @Test
  void protocolMismatchAnswersThenCloses1002() {
    Devices d = new Devices();
    try (WsClient ws = WsClient.open(gw.url())) {
      String nonce = ws.challenge();
      ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of("operator.pairing"),
          AuthMethod.SHARED_TOKEN, TOKEN);
      ObjectNode params = WsClient.connectParams(p, TOKEN);
      params.put("minProtocol", 5);
      params.put("maxProtocol", 5);
      JsonNode res = ws.call("connect", params);
      assertEquals("INVALID_REQUEST", res.path("error").path("code").asString());
      assertEquals("protocol mismatch", res.path("error").path("message").asString());
      JsonNode det = res.path("error").path("details");
      assertEquals("PROTOCOL_MISMATCH", det.path("code").asString());
      assertEquals(5, det.path("clientMinProtocol").asInt());
      assertEquals(4, det.path("expectedProtocol").asInt());
      WsClient.Close c = ws.awaitClose();
      assertEquals(1002, c.code());
      assertEquals("protocol mismatch", c.reason());
    }
    assertNothingStored();
  }

  @Test
  void protocolRangesIncludingFourAreAccepted() {
    for (int[] range : new int[][] {{3, 4}, {4, 9}}) {
      Devices d = new Devices();
      try (WsClient ws = WsClient.open(gw.url())) {
        String nonce = ws.challenge();
        ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of("operator.pairing"),
            AuthMethod.SHARED_TOKEN, TOKEN);
        ObjectNode params = WsClient.connectParams(p, TOKEN);
        params.put("minProtocol", range[0]);
        params.put("maxProtocol", range[1]);
        JsonNode res = ws.call("connect", params);
        assertEquals("NOT_PAIRED", res.path("error").path("code").asString(), res.toString());
      }
    }
  }

  @Test
  void missingOrStringProtocolIsInvalid() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      ObjectNode params = Wire.object();
      params.put("minProtocol", "4");
      params.put("maxProtocol", 4);
      JsonNode res = ws.call("connect", params);
      assertEquals("invalid connect params: at /minProtocol: must be integer",
          res.path("error").path("message").asString());
      assertEquals(1008, ws.awaitClose().code());
    }
  }

  @Test
  void firstRequestMustBeConnect() {
    try (WsClient ws = WsClient.open(gw.url())) {
      ws.challenge();
      JsonNode res = ws.call("device.pair.list", Wire.object());
      assertEquals("invalid handshake: first request must be connect",
          res.path("error").path("message").asString());
      assertEquals(1008, ws.awaitClose().code());
    }
  }

  @Test
  void pairingRequiredHasOpenClawsShapeAndCloseReason() {
    Devices d = new Devices();
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, "operator.pairing");
    JsonNode err = a.response().path("error");
    assertEquals("NOT_PAIRED", err.path("code").asString());
    assertEquals("pairing required: device is not approved yet", err.path("message").asString());
    JsonNode det = err.path("details");
    assertEquals("PAIRING_REQUIRED", det.path("code").asString());
    assertEquals("not-paired", det.path("reason").asString());
    assertEquals(d.id(), det.path("deviceId").asString());
    assertEquals("operator", det.path("requestedRole").asString());
    String requestId = det.path("requestId").asString();
    assertTrue(gw.pairing().pendingRequest(RequestId.of(requestId)).isPresent());
    WsClient.Close c = a.ws().awaitClose();
    assertEquals(1008, c.code());
    assertEquals("pairing required: device is not approved yet (requestId: " + requestId + ")",
        c.reason());
  }

  @Test
  void scopeUpgradeCloseReasonKeepsTheWholeRequestId() {
    Devices d = new Devices();
    pairAndConnect(d, "operator.pairing").ws().close();
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, "operator.pairing", "operator.read");
    String requestId = a.response().path("error").path("details").path("requestId").asString();
    assertEquals("scope-upgrade",
        a.response().path("error").path("details").path("reason").asString());
    WsClient.Close c = a.ws().awaitClose();
    assertTrue(c.reason().endsWith("(requestId: " + requestId + ")"), c.reason());
    assertTrue(c.reason().startsWith("pairing required: device is asking for more scopes"));
    assertTrue(c.reason().getBytes(StandardCharsets.UTF_8).length <= 123);
  }

  @Test
  void helloOkShapeAfterApproval() {
    Devices d = new Devices();
    Attempt a = pairAndConnect(d, "operator.pairing", "operator.read");
    JsonNode p = a.response().path("payload");
    assertEquals("hello-ok", p.path("type").asString());
    assertEquals(4, p.path("protocol").asInt());
    assertFalse(p.path("server").path("version").asString().isEmpty());
    JsonNode auth = p.path("auth");
    assertEquals("operator", auth.path("role").asString());
    assertEquals(List.of("operator.pairing", "operator.read"),
        Wire.JSON.convertValue(auth.path("scopes"), List.class));
    assertEquals("token", auth.path("method").asString());
    assertEquals(43, auth.path("deviceToken").asString().length());
    assertEquals(30_000, p.path("policy").path("tickIntervalMs").asInt());
    assertTrue(p.path("features").path("methods").toString().contains("device.pair.approve"));
    a.ws().close();
  }

  @Test
  void v2SignatureIsAccepted() {
    Devices d = new Devices();
    d.version = ConnectProof.PayloadVersion.V2;
    Attempt a = pairAndConnect(d, "operator.pairing");
    assertTrue(a.response().path("ok").asBoolean());
    a.ws().close();
  }

  @Test
  void deviceTokenAloneInAuthTokenIsAccepted() {
    Devices d = new Devices();
    Attempt a = pairAndConnect(d, "operator.pairing");
    String deviceToken = a.response().path("payload").path("auth").path("deviceToken").asString();
    a.ws().close();
    // no shared token at all: the device token rides in auth.token and is signed there
    Attempt b = connect(d, deviceToken, AuthMethod.DEVICE_TOKEN, "operator.pairing");
    assertTrue(b.response().path("ok").asBoolean(), b.response().toString());
    assertEquals("device-token",
        b.response().path("payload").path("auth").path("method").asString());
    b.ws().close();
    // a wrong one is refused with OpenClaw's code (the CLI then drops its stored token)
    Attempt c = connect(d, "x".repeat(43), AuthMethod.DEVICE_TOKEN, "operator.pairing");
    assertEquals("AUTH_DEVICE_TOKEN_MISMATCH",
        c.response().path("error").path("details").path("code").asString(),
        c.response().toString());
    assertEquals(1008, c.ws().awaitClose().code());
  }

  @Test
  void deviceTokenScopeMismatchCreatesNoRequest() {
    Devices d = new Devices();
    Attempt a = pairAndConnect(d, "operator.pairing");
    String deviceToken = a.response().path("payload").path("auth").path("deviceToken").asString();
    a.ws().close();
    Attempt b = connect(d, deviceToken, AuthMethod.DEVICE_TOKEN, "operator.pairing",
        "operator.write");
    assertEquals("AUTH_SCOPE_MISMATCH",
        b.response().path("error").path("details").path("code").asString());
    assertTrue(gw.pairing().pendingRequestOf(d.key.deviceId()).isEmpty());
  }

  @Test
  void wrongOrMissingSharedTokenIsUnauthorizedAndStoresNothing() {
    Attempt wrong = connect(new Devices(), "", AuthMethod.SHARED_TOKEN, "operator.pairing");
    assertEquals("AUTH_TOKEN_MISSING",
        wrong.response().path("error").path("details").path("code").asString());
    Attempt dl = deviceLess("not-the-token-0123456789", Map.of(), "operator.pairing");
    assertEquals("AUTH_TOKEN_MISMATCH",
        dl.response().path("error").path("details").path("code").asString());
    assertEquals(1008, dl.ws().awaitClose().code());
    assertNothingStored();
  }

  @Test
  void helloScopesCompatModeReportsTheTokenScopes() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .helloScopes(HelloScopes.TOKEN).start();
    Devices d = new Devices();
    pairAndConnect(d, "operator.pairing", "operator.read").ws().close();
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, "operator.read");
    assertEquals(List.of("operator.pairing", "operator.read"), Wire.JSON.convertValue(
        a.response().path("payload").path("auth").path("scopes"), List.class));
    a.ws().close();
  }

  @Test
  void plainHttpGetsUpgradeRequired() throws Exception {
    var res = WsClient.HTTP.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + gw.port() + "/")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(426, res.statusCode());
  }

  @Test
  void ticksFollowTheHello() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .tickInterval(java.time.Duration.ofMillis(300)).start();
    Attempt a = pairAndConnect(new Devices(), "operator.pairing");
    assertEquals(300, a.response().path("payload").path("policy").path("tickIntervalMs").asInt());
    JsonNode tick = a.ws().event("tick");
    assertTrue(tick.path("payload").path("ts").isIntegralNumber(), tick.toString());
    assertTrue(tick.path("seq").asLong() > 0);
    a.ws().close();
  }
}
