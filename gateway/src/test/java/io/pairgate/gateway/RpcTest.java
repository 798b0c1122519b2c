package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.AuthMethod;
import io.pairgate.DeviceId;
import io.pairgate.Role;
import io.pairgate.gateway.internal.Wire;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The RPCs, each allowed and denied by the caller's scopes; events; live-socket closing. */
class RpcTest extends GatewayTestBase {

  private static String error(JsonNode res) {
    return res.path("error").path("message").asString();
  }

  /** A pending request of a fresh device asking for {@code scopes}; returns its id. */
  private String pendingRequest(Devices d, String... scopes) {
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, scopes);
    a.ws().close();
    return a.response().path("error").path("details").path("requestId").asString();
  }

  @Test
  void pairingMethodsNeedOperatorPairing() {
    Attempt reader = pairAndConnect(new Devices(), "operator.read");
    Devices other = new Devices();
    String requestId = pendingRequest(other, "operator.read");
    Map<String, ObjectNode> calls = Map.of(
        "device.pair.list", Wire.object(),
        "device.pair.approve", params("requestId", requestId),
        "device.pair.reject", params("requestId", requestId),
        "device.pair.remove", params("deviceId", other.id()),
        "device.pair.block", params("deviceId", other.id()),
        "device.token.rotate", params("deviceId", other.id(), "role", "operator"),
        "device.token.revoke", params("deviceId", other.id(), "role", "operator"));
    for (Map.Entry<String, ObjectNode> c : calls.entrySet()) {
      JsonNode res = reader.ws().call(c.getKey(), c.getValue());
      assertFalse(res.path("ok").asBoolean(), c.getKey() + " " + res);
      assertEquals("missing scope: operator.pairing", error(res), c.getKey());
    }
    // nothing happened to the request
    assertTrue(gw.pairing().pendingRequest(RequestId.of(requestId)).isPresent());
    // health and status need operator.read: allowed here
    assertTrue(reader.ws().call("health", null).path("ok").asBoolean());
    assertTrue(reader.ws().call("status", null).path("payload").path("ok").asBoolean());
    reader.ws().close();
  }

  @Test
  void pairListCarriesBrowserOriginAndLastSeenReason() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing", "operator.read");
    // a device from a browser page on the gateway's own origin, and one without an Origin
    String origin = "http://127.0.0.1:" + gw.port();
    Devices browser = new Devices();
    Attempt first = connect(browser, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", origin), "operator.read");
    first.ws().close();
    String requestId = first.response().path("error").path("details").path("requestId")
        .asString();
    Devices plain = new Devices();
    String plainRequest = pendingRequest(plain, "operator.read");
    JsonNode list = op.ws().call("device.pair.list", Wire.object()).path("payload");
    JsonNode pendingBrowser = null;
    JsonNode pendingPlain = null;
    for (JsonNode p : list.path("pending")) {
      if (p.path("requestId").asString().equals(requestId)) {
        pendingBrowser = p;
      } else if (p.path("requestId").asString().equals(plainRequest)) {
        pendingPlain = p;
      }
    }
    assertTrue(pendingBrowser != null && pendingPlain != null, list.toString());
    assertEquals(origin, pendingBrowser.path("browserOrigin").asString(), list.toString());
    assertFalse(pendingPlain.has("browserOrigin"), list.toString());

    // approved over the wire, then seen by an allowed connect: the paired entry says why
    JsonNode approved = op.ws().call("device.pair.approve", params("requestId", requestId));
    assertTrue(approved.path("ok").asBoolean(), approved.toString());
    Attempt again = connect(browser, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", origin), "operator.read");
    assertTrue(again.response().path("ok").asBoolean(), again.response().toString());
    again.ws().close();
    JsonNode paired = null;
    JsonNode opEntry = null;
    list = op.ws().call("device.pair.list", Wire.object()).path("payload");
    for (JsonNode d : list.path("paired")) {
      if (d.path("deviceId").asString().equals(browser.id())) {
        paired = d;
      } else {
        opEntry = d;
      }
    }
    assertTrue(paired != null && opEntry != null, list.toString());
    var core = gw.pairing().device(DeviceId.parse(browser.id())).orElseThrow();
    assertFalse(core.lastSeenReason().isEmpty(), core.toString());
    assertEquals(core.lastSeenReason(), paired.path("lastSeenReason").asString(),
        list.toString());
    assertEquals(origin, paired.path("browserOrigin").asString(), list.toString());
    assertFalse(opEntry.has("browserOrigin"), list.toString());
    op.ws().close();
  }

  @Test
  void healthAndStatusNeedOperatorRead() {
    Attempt pairer = pairAndConnect(new Devices(), "operator.pairing");
    assertEquals("missing scope: operator.read", error(pairer.ws().call("health", null)));
    assertEquals("missing scope: operator.read", error(pairer.ws().call("status", null)));
    // admin implies read
    Attempt admin = pairAndConnect(new Devices(), "operator.admin");
    assertTrue(admin.ws().call("health", null).path("payload").path("ok").asBoolean());
    pairer.ws().close();
    admin.ws().close();
  }

  @Test
  void listApproveAndRejectAllowedWithPairing() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices a = new Devices();
    Devices b = new Devices();
    String ra = pendingRequest(a, "operator.pairing");
    String rb = pendingRequest(b, "operator.pairing");
    JsonNode list = op.ws().call("device.pair.list", Wire.object()).path("payload");
    assertEquals(2, list.path("pending").size(), list.toString());
    assertEquals(1, list.path("paired").size());
    JsonNode approved = op.ws().call("device.pair.approve", params("requestId", ra));
    assertTrue(approved.path("ok").asBoolean(), approved.toString());
    assertEquals(a.id(), approved.path("payload").path("device").path("deviceId").asString());
    assertFalse(approved.toString().contains("\"token\""), "no secret in the reply");
    JsonNode rejected = op.ws().call("device.pair.reject", params("requestId", rb));
    assertEquals(b.id(), rejected.path("payload").path("deviceId").asString());
    assertTrue(gw.pairing().device(a.key.deviceId()).isPresent());
    assertTrue(gw.pairing().device(b.key.deviceId()).isEmpty());
    assertEquals("unknown requestId",
        error(op.ws().call("device.pair.approve", params("requestId", "nope"))));
    op.ws().close();
  }

  @Test
  void aMalformedRequestIdIsATypedErrorAndChangesNothing() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices a = new Devices();
    String ra = pendingRequest(a, "operator.pairing");
    for (String method : List.of("device.pair.approve", "device.pair.reject")) {
      for (String bad : List.of("has space", "x".repeat(65), "semi;colon", "\u001b[31m")) {
        JsonNode res = op.ws().call(method, params("requestId", bad));
        assertFalse(res.path("ok").asBoolean(), res.toString());
        assertEquals("INVALID_REQUEST", res.path("error").path("code").asString(), res.toString());
        assertEquals("invalid params: requestId must be 1 to 64 characters of [A-Za-z0-9_-]",
            error(res));
        assertEquals("INVALID_ARGUMENT",
            res.path("error").path("details").path("code").asString(), res.toString());
      }
    }
    assertTrue(gw.pairing().pendingRequest(RequestId.of(ra)).isPresent(), "still pending");
    assertTrue(gw.pairing().device(a.key.deviceId()).isEmpty(), "nothing approved");
    op.ws().close();
  }

  @Test
  void approvalBeyondTheCallersScopesIsDeniedWithOpenClawsExactMessage() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices d = new Devices();
    String rid = pendingRequest(d, "operator.read", "operator.write");
    JsonNode res = op.ws().call("device.pair.approve", params("requestId", rid));
    assertEquals("device pairing approval denied", error(res));
    assertTrue(gw.pairing().pendingRequest(RequestId.of(rid)).isPresent(), "still pending");
    assertTrue(gw.pairing().device(d.key.deviceId()).isEmpty(), "nothing approved");
    op.ws().close();
  }

  @Test
  void unknownMethodIsInvalidRequestAndTheConnectionStaysUsable() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    JsonNode res = op.ws().call("chat.send", Wire.object());
    assertEquals("INVALID_REQUEST", res.path("error").path("code").asString());
    assertEquals("unknown method: chat.send", error(res));
    assertTrue(op.ws().call("device.pair.list", Wire.object()).path("ok").asBoolean());
    assertFalse(op.ws().closed.isDone());
    op.ws().close();
  }

  @Test
  void removeRotateRevokeAllowedWithPairing() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices d = new Devices();
    pairAndConnect(d, "operator.read", "operator.write").ws().close();
    JsonNode rot = op.ws().call("device.token.rotate",
        params("deviceId", d.id(), "role", "operator"));
    assertTrue(rot.path("ok").asBoolean(), rot.toString());
    assertEquals("withheld-cross-device", rot.path("payload").path("tokenDelivery").asString());
    assertTrue(rot.path("payload").path("token").isMissingNode(), "no cross-device secret");
    ObjectNode narrow = params("deviceId", d.id(), "role", "operator");
    narrow.putArray("scopes").add("operator.read");
    JsonNode rot2 = op.ws().call("device.token.rotate", narrow);
    assertEquals(List.of("operator.read"),
        Wire.JSON.convertValue(rot2.path("payload").path("scopes"), List.class));
    ObjectNode wide = params("deviceId", d.id(), "role", "operator");
    wide.putArray("scopes").add("operator.admin");
    assertEquals("device token rotation denied", error(op.ws().call("device.token.rotate", wide)));
    JsonNode rev = op.ws().call("device.token.revoke",
        params("deviceId", d.id(), "role", "operator"));
    assertTrue(rev.path("payload").path("revokedAtMs").isIntegralNumber(), rev.toString());
    assertTrue(gw.pairing().device(d.key.deviceId()).orElseThrow().token(Role.OPERATOR)
        .isRevoked());
    JsonNode rm = op.ws().call("device.pair.remove", params("deviceId", d.id()));
    assertEquals(d.id(), rm.path("payload").path("deviceId").asString());
    assertTrue(gw.pairing().device(d.key.deviceId()).isEmpty());
    assertEquals("unknown deviceId",
        error(op.ws().call("device.pair.remove", params("deviceId", d.id()))));
    op.ws().close();
  }

  @Test
  void eventsReachOperatorsWithPairingOnly() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Attempt reader = pairAndConnect(new Devices(), "operator.read");
    Devices d = new Devices();
    String rid = pendingRequest(d, "operator.pairing");
    // (the reader's own pairing above was announced too; find this device's request)
    JsonNode requested = op.ws().next(n -> "device.pair.requested".equals(
        n.path("event").asString()) && d.id().equals(n.path("payload").path("deviceId")
        .asString()));
    assertEquals(rid, requested.path("payload").path("requestId").asString());
    assertEquals(d.id(), requested.path("payload").path("deviceId").asString());
    op.ws().call("device.pair.approve", params("requestId", rid));
    JsonNode resolved = op.ws().next(n -> "device.pair.resolved".equals(
        n.path("event").asString()) && rid.equals(n.path("payload").path("requestId")
        .asString()));
    assertEquals(rid, resolved.path("payload").path("requestId").asString());
    assertEquals("approved", resolved.path("payload").path("decision").asString());
    // the read-only operator got neither: its frames up to a fresh reply hold no pairing event
    String id = reader.ws().request("health", null);
    JsonNode n;
    while (!(n = reader.ws().next()).path("id").asString().equals(id)) {
      assertFalse(n.path("event").asString().startsWith("device.pair"), n.toString());
    }
    op.ws().close();
    reader.ws().close();
  }

  private void assertClosedWithin1s(WsClient ws, String reason) throws Exception {
    long t0 = System.nanoTime();
    WsClient.Close c = ws.closed.get(1, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(4001, c.code());
    assertEquals(reason, c.reason());
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
  }

  @Test
  void revokeClosesTheDevicesLiveSocketWithin1s() throws Exception {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices d = new Devices();
    Attempt live = pairAndConnect(d, "operator.read");
    assertTrue(op.ws().call("device.token.revoke",
        params("deviceId", d.id(), "role", "operator")).path("ok").asBoolean());
    assertClosedWithin1s(live.ws(), "device token revoked");
    assertFalse(op.ws().closed.isDone(), "the operator stays connected");
    op.ws().close();
  }

  @Test
  void removeAndBlockCloseLiveSockets() throws Exception {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices d = new Devices();
    Attempt live = pairAndConnect(d, "operator.read");
    op.ws().call("device.pair.remove", params("deviceId", d.id()));
    assertClosedWithin1s(live.ws(), "device removed");

    Devices e = new Devices();
    Attempt live2 = pairAndConnect(e, "operator.read");
    assertTrue(op.ws().call("device.pair.block", params("deviceId", e.id()))
        .path("ok").asBoolean());
    assertClosedWithin1s(live2.ws(), "device blocked");
    // and the blocked device cannot come back
    Attempt again = connect(e, TOKEN, AuthMethod.SHARED_TOKEN, "operator.read");
    assertEquals("BLOCKED", again.response().path("error").path("details").path("code")
        .asString(), again.response().toString());
    op.ws().close();
  }

  @Test
  void inProcessRevokeThroughTheServiceAlsoCloses() throws Exception {
    Devices d = new Devices();
    Attempt live = pairAndConnect(d, "operator.read");
    gw.pairing().revoke(d.key.deviceId(), Role.OPERATOR);
    assertClosedWithin1s(live.ws(), "device token revoked");
  }

  @Test
  void selfRotationRepliesWithTheNewTokenThenCloses() throws Exception {
    Devices d = new Devices();
    Attempt live = pairAndConnect(d, "operator.pairing");
    JsonNode res = live.ws().call("device.token.rotate",
        params("deviceId", d.id(), "role", "operator"));
    String token = res.path("payload").path("token").asString();
    assertEquals(43, token.length());
    assertClosedWithin1s(live.ws(), "device token rotated");
    Attempt b = connect(d, token, AuthMethod.DEVICE_TOKEN, "operator.pairing");
    assertTrue(b.response().path("ok").asBoolean(), b.response().toString());
    b.ws().close();
  }

  @Test
  void deviceLessSharedTokenOperatorIsBoundedAndLocalOnly() {
    Attempt a = deviceLess(TOKEN, Map.of(), "operator.admin", "operator.pairing",
        "operator.write");
    JsonNode auth = a.response().path("payload").path("auth");
    assertEquals(List.of("operator.pairing"), Wire.JSON.convertValue(auth.path("scopes"),
        List.class), "admin and write are never granted to a device-less connect");
    assertTrue(auth.path("deviceToken").isMissingNode());
    // it may list and approve what its scopes cover...
    Devices d = new Devices();
    String rid = pendingRequest(d, "operator.pairing");
    assertTrue(a.ws().call("device.pair.approve", params("requestId", rid)).path("ok")
        .asBoolean());
    // ...but never an admin request, and nothing is written by the refusal
    Devices adminWanted = new Devices();
    String rid2 = pendingRequest(adminWanted, "operator.admin");
    assertEquals("device pairing approval denied",
        error(a.ws().call("device.pair.approve", params("requestId", rid2))));
    assertTrue(gw.pairing().pendingRequest(RequestId.of(rid2)).isPresent());
    assertTrue(gw.pairing().device(adminWanted.key.deviceId()).isEmpty());
    a.ws().close();
  }

  @Test
  void deviceLessFromABrowserOriginIsRefused() {
    Attempt a = deviceLess(TOKEN, Map.of("Origin", "http://127.0.0.1:" + gw.port()),
        "operator.pairing");
    assertEquals("DEVICE_IDENTITY_REQUIRED",
        a.response().path("error").path("details").path("code").asString(),
        a.response().toString());
    assertEquals(1008, a.ws().awaitClose().code());
  }

  @Test
  void deviceLessWithForwardedHeadersIsRefusedBeforeTheUpgrade() {
    // an untrusted peer sending X-Forwarded-For: HTTP 403, no socket at all
    var ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> WsClient.open(gw.url(), Map.of("X-Forwarded-For", "127.0.0.1")));
    Throwable t = ex;
    while (t != null && !(t instanceof java.net.http.WebSocketHandshakeException)) {
      t = t.getCause();
    }
    assertTrue(t != null, String.valueOf(ex));
    assertEquals(403,
        ((java.net.http.WebSocketHandshakeException) t).getResponse().statusCode());
    assertTrue(store.list("", 10).isEmpty());
  }

  @Test
  void deviceLessBehindATrustedProxyIsRefused() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .trustedProxies(List.of("127.0.0.1")).start();
    Attempt a = deviceLess(TOKEN, Map.of("X-Forwarded-For", "127.0.0.1"), "operator.pairing");
    assertEquals("DEVICE_IDENTITY_REQUIRED",
        a.response().path("error").path("details").path("code").asString());
    // a remote client via the proxy: the same
    Attempt b = deviceLess(TOKEN, Map.of("X-Forwarded-For", "203.0.113.9"), "operator.pairing");
    assertEquals("DEVICE_IDENTITY_REQUIRED",
        b.response().path("error").path("details").path("code").asString());
  }

  @Test
  void deviceLessWithoutASharedTokenConfiguredIsRefused() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).autoApproveLocal(false).start();
    Attempt a = deviceLess("", Map.of(), "operator.pairing");
    assertEquals("DEVICE_IDENTITY_REQUIRED",
        a.response().path("error").path("details").path("code").asString());
  }

  @Test
  void nonLoopbackBindWithoutTokenIsRefused() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.pairgate.PairgateException.class,
        () -> PairgateGateway.builder(store).bind("0.0.0.0").port(0).start());
    assertTrue(e.getMessage().contains("without a shared token"), e.getMessage());
  }

  @Test
  void silentLocalApprovalWhenOnNeverForAForeignOrigin() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).start(); // default: on
    Devices local = new Devices();
    Attempt a = connect(local, TOKEN, AuthMethod.SHARED_TOKEN, "operator.pairing");
    assertTrue(a.response().path("ok").asBoolean(), a.response().toString());
    a.ws().close();
    // a foreign origin: refused by core, nothing stored for it
    Devices evil = new Devices();
    Attempt c = connect(evil, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", "http://evil.example"), "operator.pairing");
    assertEquals("ORIGIN_NOT_ALLOWED",
        c.response().path("error").path("details").path("code").asString(),
        c.response().toString());
    assertEquals(1008, c.ws().awaitClose().code());
    assertTrue(store.load(new DeviceId(evil.id())).isEmpty());
  }

  @Test
  void silentLocalApprovalNeverGrantsAdmin() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).start();
    Devices d = new Devices();
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, "operator.admin");
    assertEquals("NOT_PAIRED", a.response().path("error").path("code").asString(),
        a.response().toString());
    assertTrue(gw.pairing().device(new DeviceId(d.id())).isEmpty());
  }

  @Test
  void aSilentlyPairedBrowserPageCannotApprove() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).start(); // auto-approve on
    Devices page = new Devices();
    Attempt a = connect(page, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", "http://127.0.0.1:" + gw.port()), "operator.pairing");
    // core pairs a same-origin page with the shared token silently (R11.2, R16.4) ...
    assertTrue(a.response().path("ok").asBoolean(), a.response().toString());
    a.ws().close();
    Devices e = new Devices();
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .start();
    String rid = pendingRequest(e, "operator.pairing");
    Attempt again = connect(page, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", "http://127.0.0.1:" + gw.port()), "operator.pairing");
    assertTrue(again.response().path("ok").asBoolean(), again.response().toString());
    // ... but such a page never approves anything: a browser must not bootstrap authority
    JsonNode res = again.ws().call("device.pair.approve", params("requestId", rid));
    assertEquals("device pairing approval denied", error(res));
    assertEquals("BROWSER_NOT_APPROVER", res.path("error").path("details").path("code")
        .asString());
    assertTrue(gw.pairing().pendingRequest(RequestId.of(rid)).isPresent(), "nothing approved");
    assertTrue(gw.pairing().device(e.key.deviceId()).isEmpty());
    again.ws().close();
  }
}
