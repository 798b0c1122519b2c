package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A gateway on a store-json directory hears changes made through another store instance on the
 * same directory (as {@code pairgate devices revoke} in another process does): the change journal
 * subscription closes the device's live socket within 1 s.
 */
class StoreJsonChangesTest {
  @TempDir Path dir;

  @Test
  void revokeThroughAnotherStoreInstanceClosesTheLiveSocket() throws Exception {
    String token = GatewayTestBase.TOKEN;
    try (JsonPairingStore gatewayStore = JsonPairingStore.open(dir);
        PairgateGateway gw = PairgateGateway.builder(gatewayStore).port(0).sharedToken(token)
            .autoApproveLocal(false).start()) {
      Devices d = new Devices();
      WsClient first = WsClient.open(gw.url());
      ConnectProof p = d.sign(first.challenge(), Role.OPERATOR, List.of("operator.read"),
          AuthMethod.SHARED_TOKEN, token);
      JsonNode res = first.call("connect", WsClient.connectParams(p, token));
      first.close();
      gw.pairing().approve(RequestId.of(res.path("error").path("details").path("requestId").asString()),
          Approver.admin("test"));
      WsClient live = WsClient.open(gw.url());
      ConnectProof p2 = d.sign(live.challenge(), Role.OPERATOR, List.of("operator.read"),
          AuthMethod.SHARED_TOKEN, token);
      assertTrue(live.call("connect", WsClient.connectParams(p2, token)).path("ok").asBoolean());

      try (JsonPairingStore other = JsonPairingStore.open(dir)) {
        PairingService operatorTool = PairingService.builder(other).auditLogging(false).build();
        operatorTool.revoke(d.key.deviceId(), Role.OPERATOR);
        WsClient.Close c = live.closed.get(1, TimeUnit.SECONDS);
        assertEquals(4001, c.code());
        assertEquals("device token revoked", c.reason());
      }
    }
  }
}
