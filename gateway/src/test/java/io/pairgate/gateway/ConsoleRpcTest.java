package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.DeviceId;
import io.pairgate.gateway.internal.Wire;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The console's side of the gateway, with the Java client: its RPCs (allowed and denied by the
 * caller's scopes, through core's scope relation), the browser Origin rule, and the static files
 * with their Content-Security-Policy.
 */
class ConsoleRpcTest extends GatewayTestBase {

  private static String error(JsonNode res) {
    return res.path("error").path("message").asString();
  }

  private String pendingRequest(Devices d, String... scopes) {
    Attempt a = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, scopes);
    a.ws().close();
    assertEquals("NOT_PAIRED", a.response().path("error").path("code").asString(),
        a.response().toString());
    return a.response().path("error").path("details").path("requestId").asString();
  }

  private Map<String, ObjectNode> consoleCalls(Devices target) {
    Map<String, ObjectNode> calls = new LinkedHashMap<>();
    calls.put("pairgate.pending", Wire.object());
    calls.put("pairgate.explain", params("deviceId", target.id()));
    calls.put("pairgate.rename", params("deviceId", target.id(), "label", "kitchen tablet"));
    calls.put("pairgate.audit", Wire.object());
    return calls;
  }

  @Test
  void consoleMethodsNeedOperatorPairing() {
    Devices target = new Devices();
    pairAndConnect(target, "operator.read").ws().close();
    Attempt reader = pairAndConnect(new Devices(), "operator.read", "operator.write");
    for (Map.Entry<String, ObjectNode> c : consoleCalls(target).entrySet()) {
      JsonNode res = reader.ws().call(c.getKey(), c.getValue());
      assertFalse(res.path("ok").asBoolean(), c.getKey() + " " + res);
      assertEquals("missing scope: operator.pairing", error(res), c.getKey());
    }
    // the denied rename changed nothing
    assertEquals("", gw.pairing().device(new DeviceId(target.id())).orElseThrow().label());
    reader.ws().close();

    Attempt pairer = pairAndConnect(new Devices(), "operator.pairing");
    for (Map.Entry<String, ObjectNode> c : consoleCalls(target).entrySet()) {
      JsonNode res = pairer.ws().call(c.getKey(), c.getValue());
      assertTrue(res.path("ok").asBoolean(), c.getKey() + " " + res);
    }
    assertEquals("kitchen tablet",
        gw.pairing().device(new DeviceId(target.id())).orElseThrow().label());
    pairer.ws().close();

    // operator.admin implies operator.pairing (core's relation, not a string compare)
    Attempt admin = pairAndConnect(new Devices(), "operator.admin");
    assertTrue(admin.ws().call("pairgate.pending", Wire.object()).path("ok").asBoolean());
    admin.ws().close();
  }

  @Test
  void pendingShowsLocalityAndWhatApprovalGrantsWithImpliedScopes() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    Devices d = new Devices();
    String rid = pendingRequest(d, "operator.write");
    JsonNode res = op.ws().call("pairgate.pending", Wire.object());
    assertTrue(res.path("ok").asBoolean(), res.toString());
    JsonNode item = null;
    for (JsonNode p : res.path("payload").path("pending")) {
      if (p.path("requestId").asString().equals(rid)) {
        item = p;
      }
    }
    assertNotNull(item, res.toString());
    assertEquals("direct_local", item.path("locality").asString());
    assertEquals("127.0.0.1", item.path("remoteIp").asString());
    assertEquals("not-paired", item.path("reason").asString());
    Map<String, JsonNode> rows = new HashMap<>();
    item.path("grants").path("scopes").forEach(r -> rows.put(r.path("scope").asString(), r));
    // requested, new
    assertTrue(rows.get("operator.write").path("requested").asBoolean());
    assertEquals("none", rows.get("operator.write").path("now").asString());
    assertEquals("granted", rows.get("operator.write").path("after").asString());
    // implied by operator.write under OpenClaw's relation: shown as implied, not requested
    for (String implied : List.of("operator.read", "operator.talk")) {
      JsonNode r = rows.get(implied);
      assertNotNull(r, implied + " " + item);
      assertFalse(r.path("requested").asBoolean(), implied);
      assertTrue(r.path("impliedByRequest").asBoolean(), implied);
      assertEquals("implied", r.path("after").asString(), implied);
    }
    // not implied: admin and pairing are not rows at all
    assertFalse(rows.containsKey("operator.admin"), item.toString());
    assertFalse(rows.containsKey("operator.pairing"), item.toString());
    assertEquals(List.of("operator.write"),
        Wire.JSON.convertValue(item.path("grants").path("approverNeeds"), List.class));

    // a paired device asking for more: the baseline now, and after
    Devices up = new Devices();
    pairAndConnect(up, "operator.read").ws().close();
    String upgrade = pendingRequest(up, "operator.read", "operator.pairing");
    JsonNode again = op.ws().call("pairgate.pending", Wire.object());
    JsonNode u = null;
    for (JsonNode p : again.path("payload").path("pending")) {
      if (p.path("requestId").asString().equals(upgrade)) {
        u = p;
      }
    }
    assertNotNull(u, again.toString());
    assertEquals("scope-upgrade", u.path("reason").asString());
    Map<String, JsonNode> urows = new HashMap<>();
    u.path("grants").path("scopes").forEach(r -> urows.put(r.path("scope").asString(), r));
    assertEquals("granted", urows.get("operator.read").path("now").asString());
    assertEquals("none", urows.get("operator.pairing").path("now").asString());
    assertEquals("granted", urows.get("operator.pairing").path("after").asString());
    op.ws().close();
  }

  @Test
  void explainRenameAndAuditTail() {
    Attempt op = pairAndConnect(new Devices(), "operator.pairing");
    JsonNode tail = op.ws().call("pairgate.audit", params("follow", "x"));
    assertEquals("invalid params: follow must be a boolean", error(tail));
    ObjectNode follow = Wire.object();
    follow.put("follow", true);
    follow.put("limit", 10);
    tail = op.ws().call("pairgate.audit", follow);
    assertTrue(tail.path("payload").path("following").asBoolean(), tail.toString());
    assertTrue(tail.path("payload").path("events").size() >= 2, tail.toString());

    Devices d = new Devices();
    String rid = pendingRequest(d, "operator.read");
    JsonNode ev = op.ws().event("pairgate.audit");
    assertEquals("pairing-requested", ev.path("payload").path("type").asString(), ev.toString());
    assertEquals(d.id(), ev.path("payload").path("deviceId").asString());
    assertTrue(ev.path("payload").path("line").asString().contains(rid), ev.toString());

    JsonNode ex = op.ws().call("pairgate.explain", params("requestId", rid));
    assertEquals("pending", ex.path("payload").path("status").asString(), ex.toString());
    assertTrue(ex.path("payload").path("lines").get(0).asString().contains(rid));
    JsonNode both = op.ws().call("pairgate.explain", params("requestId", rid, "deviceId", d.id()));
    assertEquals("invalid params: give deviceId or requestId", error(both));
    JsonNode dev = op.ws().call("pairgate.explain", params("deviceId", d.id()));
    assertTrue(dev.path("payload").path("known").asBoolean(), dev.toString());
    assertFalse(dev.path("payload").path("paired").asBoolean());

    gw.pairing().approve(RequestId.of(rid), Approver.admin("test"));
    // bad labels: typed error, nothing written
    for (String bad : List.of("tab\tname", "esc\u001b[31m", "bidi\u202Eevil", "x".repeat(129))) {
      JsonNode r = op.ws().call("pairgate.rename", params("deviceId", d.id(), "label", bad));
      assertFalse(r.path("ok").asBoolean(), bad);
      assertTrue(error(r).startsWith("invalid params: label"), error(r));
      assertEquals("", gw.pairing().device(new DeviceId(d.id())).orElseThrow().label());
    }
    JsonNode unknown = op.ws().call("pairgate.rename",
        params("deviceId", new Devices().id(), "label", "x"));
    assertEquals("unknown deviceId", error(unknown));
    op.ws().close();
  }

  // ---------------------------------------------------------------------------------------------
  // Origin

  private Attempt fromOrigin(Map<String, String> headers) {
    return connect(new Devices(), TOKEN, AuthMethod.SHARED_TOKEN, headers, "operator.admin");
  }

  private void assertOriginRefused(Map<String, String> headers) {
    Attempt a = fromOrigin(headers);
    assertEquals("ORIGIN_NOT_ALLOWED",
        a.response().path("error").path("details").path("code").asString(),
        headers + " " + a.response());
    assertTrue(error(a.response()).startsWith("origin not allowed"), a.response().toString());
    WsClient.Close c = a.ws().awaitClose();
    assertEquals(1008, c.code());
    assertEquals("origin not allowed", c.reason());
    // the service never saw it: nothing stored, no request
    assertTrue(store.list("", 10).isEmpty(), headers.toString());
  }

  @Test
  void aForeignOriginGetsNoSessionAndNothingIsStored() {
    assertOriginRefused(Map.of("Origin", "http://127.0.0.1:1"));
    assertOriginRefused(Map.of("Origin", "http://evil.example"));
    assertOriginRefused(Map.of("Origin", "null"));
    assertOriginRefused(Map.of("Origin", "https://127.0.0.1:" + gw.port()));
    assertOriginRefused(Map.of("Origin", "http://localhost:" + gw.port()));
    // DNS rebinding: the attacker's name points at the gateway, so Host matches the Origin
    assertOriginRefused(Map.of("Origin", "http://evil.example:" + gw.port(),
        "Host", "evil.example:" + gw.port()));
  }

  @Test
  void theGatewaysOwnOriginPairsLikeAnyDeviceAndIsNeverSilent() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).start(); // auto-approve on
    // the console's own client description, from its own origin, with the shared token, local
    Devices console = new Devices();
    console.client = new io.pairgate.ClientInfo("pairgate-console", "console", "web", "",
        "Pairgate console", "0.1.0");
    Attempt a = connect(console, TOKEN, AuthMethod.SHARED_TOKEN,
        Map.of("Origin", "http://127.0.0.1:" + gw.port()), "operator.admin");
    assertEquals("NOT_PAIRED", a.response().path("error").path("code").asString(),
        a.response().toString());
    assertEquals(1, gw.pairing().list().pending().size());
    assertTrue(gw.pairing().device(new DeviceId(console.id())).isEmpty());
    Attempt b = fromOrigin(Map.of("Origin", "http://localhost:" + gw.port(),
        "Host", "localhost:" + gw.port()));
    assertEquals("NOT_PAIRED", b.response().path("error").path("code").asString(),
        b.response().toString());
  }

  @Test
  void aDnsRebindingPageIsRefusedUnlessItsNameIsAConfiguredGatewayHost() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .gatewayHosts(List.of("GW.Lan")).start();
    // the attacker's name re-pointed at the gateway: Host and Origin agree, and it is refused
    // (by the gateway before the service sees it; core's same rule is the second line)
    assertOriginRefused(Map.of("Origin", "http://evil.example:" + gw.port(),
        "Host", "evil.example:" + gw.port()));
    assertOriginRefused(Map.of("Origin", "http://evil.gw.lan:" + gw.port(),
        "Host", "evil.gw.lan:" + gw.port()));
    // the configured name is the gateway's own origin: the page pairs like any device
    Attempt a = fromOrigin(Map.of("Origin", "http://gw.lan:" + gw.port(),
        "Host", "gw.lan:" + gw.port()));
    assertEquals("NOT_PAIRED", a.response().path("error").path("code").asString(),
        a.response().toString());
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.pairgate.PairgateException.class,
        () -> PairgateGateway.builder(store).gatewayHosts(List.of("gw.lan:18789")));
    assertTrue(e.getMessage().contains("malformed gateway host"), e.getMessage());
  }

  @Test
  void aConfiguredOriginIsAllowed() {
    gw.close();
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .allowedOrigins(List.of("https://Gateway.Example.com")).start();
    Attempt a = fromOrigin(Map.of("Origin", "https://gateway.example.com:443",
        "Host", "gateway.example.com"));
    assertEquals("NOT_PAIRED", a.response().path("error").path("code").asString(),
        a.response().toString());
    var e = org.junit.jupiter.api.Assertions.assertThrows(io.pairgate.PairgateException.class,
        () -> PairgateGateway.builder(store).allowedOrigins(List.of("https://x.example/path")));
    assertTrue(e.getMessage().contains("malformed allowed origin"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // static files

  private HttpResponse<String> http(String method, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return WsClient.HTTP.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void consoleFilesAreServedWithAStrictPolicy() throws Exception {
    HttpResponse<String> page = http("GET", "/console");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    String csp = page.headers().firstValue("content-security-policy").orElse("");
    for (String directive : List.of("default-src 'none'", "script-src 'self'",
        "connect-src 'self'", "require-trusted-types-for 'script'", "frame-ancestors 'none'")) {
      assertTrue(csp.contains(directive), csp);
    }
    assertFalse(csp.contains("unsafe"), csp);
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
    String html = page.body();
    assertTrue(html.contains("<script src=\"/console/console.js\" defer></script>"));
    // no inline script or style, no handler attributes, nothing from another host
    assertFalse(html.replace("<script src=\"/console/console.js\" defer></script>", "")
        .contains("<script"), html);
    assertFalse(html.matches("(?s).*\\son[a-z]+=.*"), html);
    assertFalse(html.contains("style="), html);
    assertFalse(html.contains("://"), html);
    assertEquals(200, http("GET", "/console/").statusCode());
    HttpResponse<String> js = http("GET", "/console/console.js");
    assertTrue(js.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));
    assertFalse(js.body().contains("innerHTML"), "the console never parses strings as HTML");
    // the only URLs in the script are the local ones its help text names
    assertFalse(js.body().matches("(?s).*(https?|wss?)://(?!localhost:<port>|127\\.0\\.0\\.1:<port>)[A-Za-z0-9\\[].*"),
        "no external URLs");
    assertEquals(200, http("GET", "/console/console.css").statusCode());
    assertEquals(200, http("HEAD", "/console").statusCode());
    JsonNode cfg = Wire.JSON.readTree(http("GET", "/console/config.json").body());
    assertEquals("pairgate devices approve", cfg.path("approveCommand").asString());
    assertEquals(404, http("GET", "/console/../pom.xml").statusCode());
    assertEquals(404, http("GET", "/console/nope.js").statusCode());
    assertEquals(405, http("POST", "/console").statusCode());
    assertEquals(426, http("GET", "/").statusCode());

    gw.close();
    gw = PairgateGateway.builder(store).port(0).console(false).start();
    assertEquals(404, http("GET", "/console").statusCode());
  }
}
