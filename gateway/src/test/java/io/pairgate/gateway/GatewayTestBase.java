package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.spi.PairingStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A gateway on an in-memory store with a shared token and silent local approval off. */
abstract class GatewayTestBase {
  static final String TOKEN = "tok-shared-0123456789abcdef";

  PairingStore store;
  PairgateGateway gw;

  PairgateGateway.Builder configure(PairgateGateway.Builder b) {
    return b;
  }

  @BeforeEach
  void startGateway() {
    store = new InMemoryPairingStore();
    gw = configure(PairgateGateway.builder(store).port(0).sharedToken(TOKEN)
        .autoApproveLocal(false).connectTimeout(Duration.ofMillis(1500))).start();
  }

  @AfterEach
  void stopGateway() {
    gw.close();
  }

  /** A connection that got its challenge and sent a signed connect; the response is returned. */
  record Attempt(WsClient ws, JsonNode response, ConnectProof proof) {}

  Attempt connect(Devices d, String authToken, AuthMethod method, String... scopes) {
    return connect(d, authToken, method, Map.of(), scopes);
  }

  Attempt connect(Devices d, String authToken, AuthMethod method, Map<String, String> headers,
      String... scopes) {
    WsClient ws = WsClient.open(gw.url(), headers);
    String nonce = ws.challenge();
    ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of(scopes), method, authToken);
    ObjectNode params = WsClient.connectParams(p, authToken);
    String id = ws.request("connect", params);
    return new Attempt(ws, ws.response(id), p);
  }

  /** Pairs {@code d} with {@code scopes} (as an admin approving in-process) and connects it. */
  Attempt pairAndConnect(Devices d, String... scopes) {
    Attempt first = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, scopes);
    first.ws().close();
    assertEquals("NOT_PAIRED", first.response().path("error").path("code").asString(),
        first.response().toString());
    String requestId =
        first.response().path("error").path("details").path("requestId").asString();
    gw.pairing().approve(RequestId.of(requestId), Approver.admin("test-admin"));
    Attempt second = connect(d, TOKEN, AuthMethod.SHARED_TOKEN, scopes);
    assertTrue(second.response().path("ok").asBoolean(), second.response().toString());
    return second;
  }

  /** A device-less connect with the shared token (the 2026.9 CLI's shape). */
  Attempt deviceLess(String token, Map<String, String> headers, String... scopes) {
    WsClient ws = WsClient.open(gw.url(), headers);
    ws.challenge();
    ObjectNode params = io.pairgate.gateway.internal.Wire.object();
    params.put("minProtocol", 4);
    params.put("maxProtocol", 4);
    ObjectNode client = params.putObject("client");
    client.put("id", "cli");
    client.put("version", "2026.9.6");
    client.put("platform", "linux");
    client.put("deviceFamily", "Linux");
    client.put("mode", "cli");
    client.put("instanceId", "i-1");
    params.putArray("caps");
    if (!token.isEmpty()) {
      params.putObject("auth").put("token", token);
    }
    params.put("role", "operator");
    params.set("scopes", io.pairgate.gateway.internal.Wire.JSON.valueToTree(List.of(scopes)));
    String id = ws.request("connect", params);
    return new Attempt(ws, ws.response(id), null);
  }

  static ObjectNode params(String... kv) {
    ObjectNode o = io.pairgate.gateway.internal.Wire.object();
    for (int i = 0; i < kv.length; i += 2) {
      o.put(kv[i], kv[i + 1]);
    }
    return o;
  }
}
