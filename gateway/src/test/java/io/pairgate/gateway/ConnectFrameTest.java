package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.gateway.internal.Wire;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@link ConnectFrame}: the connect request the bench and the CLI's tests send, as a gateway reads it. */
class ConnectFrameTest extends GatewayTestBase {
  private final Devices d = new Devices();

  private JsonNode connect(WsClient ws, String id) {
    ConnectProof p = d.sign(ws.challenge(), Role.OPERATOR, List.of("operator.read", "operator.write"),
        AuthMethod.SHARED_TOKEN, TOKEN);
    ws.sendText(ConnectFrame.request(id, p, "2026.6.10"));
    return ws.response(id);
  }

  @Test
  void theFrameCarriesTheProofAsTheOpenClawCliSendsIt() {
    ConnectProof p = d.sign("nonce-1", Role.OPERATOR, List.of("operator.write", "operator.read"),
        AuthMethod.SHARED_TOKEN, TOKEN);
    JsonNode f = Wire.JSON.readTree(ConnectFrame.request("r-1", p, "2026.6.10"));
    assertEquals("req", f.path("type").asString());
    assertEquals("r-1", f.path("id").asString());
    assertEquals("connect", f.path("method").asString());
    JsonNode params = f.path("params");
    assertEquals(4, params.path("minProtocol").asInt());
    assertEquals(4, params.path("maxProtocol").asInt());
    assertEquals("cli", params.path("client").path("id").asString());
    assertEquals("2026.6.10", params.path("client").path("version").asString());
    assertEquals("linux", params.path("client").path("platform").asString());
    assertEquals("cli", params.path("client").path("mode").asString());
    assertTrue(params.path("caps").isArray() && params.path("caps").isEmpty());
    assertEquals(TOKEN, params.path("auth").path("token").asString());
    assertEquals("operator", params.path("role").asString());
    assertEquals("[\"operator.write\",\"operator.read\"]", params.path("scopes").toString(),
        "scopes in the signed order");
    JsonNode dev = params.path("device");
    assertEquals(p.deviceId(), dev.path("id").asString());
    assertEquals(p.publicKey(), dev.path("publicKey").asString());
    assertEquals(p.signature(), dev.path("signature").asString());
    assertEquals(p.signedAtMs(), dev.path("signedAt").asLong());
    assertEquals("nonce-1", dev.path("nonce").asString());
  }

  @Test
  void optionalClientDetailsAndAuthAppearOnlyWhenSet() {
    ConnectProof bare = d.sign("n", Role.OPERATOR, List.of("operator.read"), AuthMethod.NONE, "");
    JsonNode plain = Wire.JSON.readTree(ConnectFrame.request("r", bare, "1")).path("params");
    assertTrue(plain.path("auth").isMissingNode(), plain.toString());
    assertTrue(plain.path("client").path("deviceFamily").isMissingNode(), plain.toString());
    assertTrue(plain.path("client").path("displayName").isMissingNode(), plain.toString());
    d.client = new ClientInfo("cli", "cli", "linux", "Laptop", "Ada's laptop", "");
    ConnectProof full = d.sign("n", Role.OPERATOR, List.of("operator.read"),
        AuthMethod.SHARED_TOKEN, TOKEN);
    JsonNode c = Wire.JSON.readTree(ConnectFrame.request("r", full, "1")).path("params")
        .path("client");
    assertEquals("Laptop", c.path("deviceFamily").asString(), c.toString());
    assertEquals("Ada's laptop", c.path("displayName").asString(), c.toString());
  }

  @Test
  void theGatewayAcceptsTheFrame() {
    try (WsClient ws = WsClient.open(gw.url())) {
      JsonNode first = connect(ws, "c-1");
      assertEquals("NOT_PAIRED", first.path("error").path("code").asString(), first.toString());
      gw.pairing().approve(io.pairgate.RequestId.of(first.path("error").path("details").path("requestId").asString()),
          Approver.admin("test-admin"));
    }
    try (WsClient ws = WsClient.open(gw.url())) {
      JsonNode second = connect(ws, "c-2");
      assertTrue(second.path("ok").asBoolean(), second.toString());
    }
  }
}
