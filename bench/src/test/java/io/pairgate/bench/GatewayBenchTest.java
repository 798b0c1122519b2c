package io.pairgate.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.gateway.PairgateGateway;
import io.pairgate.store.json.OpenClawFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The side-by-side benchmark's load generator against an in-process Pairgate gateway, briefly and
 * for correctness only (no timing): the paired.json it writes imports, every paired reconnect is a
 * full signed cycle that gets hello-ok, storm knocks get NOT_PAIRED and leave one pending request
 * per key, and approvals over the wire pair their devices.
 */
class GatewayBenchTest {
  private static final String TOKEN = "tok-shared-0123456789abcdef";

  @Test
  void measuresAPairgateGatewayEndToEnd(@TempDir Path dir) throws Exception {
    int devices = 20;
    GatewayBench.populate(devices, dir);
    InMemoryPairingStore store = new InMemoryPairingStore();
    OpenClawFiles.importInto(store, dir.resolve("devices"));
    try (PairgateGateway gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN)
        .autoApproveLocal(false).trustedProxies(List.of("127.0.0.1")).console(false).start()) {
      assertEquals(devices, gw.pairing().list().paired().size());
      GatewayBench.Options o = GatewayBench.Options.of(Map.ofEntries(
          Map.entry("url", gw.url()), Map.entry("token", TOKEN),
          Map.entry("devices", Integer.toString(devices)),
          Map.entry("pid", Long.toString(ProcessHandle.current().pid())),
          Map.entry("ready-timeout", "20"), Map.entry("verify", "0.2"),
          Map.entry("warmup", "0.3"), Map.entry("quiet", "1"), Map.entry("storm", "1"),
          Map.entry("concurrency", "4"), Map.entry("storm-keys", "30"),
          Map.entry("storm-rate", "100"), Map.entry("approvals", "3"),
          Map.entry("family", "test")));
      ObjectNode r = GatewayBench.measure(o);
      String all = r.toString();
      assertTrue(r.path("loaded").asBoolean(), all);
      assertTrue(r.path("bcVerifyPerSecond").asDouble() > 0, all);
      // paired reconnects: full cycles, all allowed
      assertTrue(r.path("quiet").path("ok").asInt() > 0, all);
      assertEquals(0, r.path("quiet").path("errors").size(), all);
      assertEquals(0, r.path("storm").path("errors").size(), all);
      assertTrue(r.path("quiet").path("p99Ms").asDouble() >= r.path("quiet").path("p50Ms")
          .asDouble(), all);
      // approvals over the wire: each knocked device is paired afterwards
      assertEquals(3, r.path("approve").path("ok").asInt(), all);
      assertEquals(0, r.path("approve").path("failures").size(), all);
      // storm: every answered knock was a pairing request, one pending request per key
      JsonNode codes = r.path("stormKnocks").path("codes");
      JsonNode knocks = r.path("stormKnocks");
      assertTrue(knocks.path("sent").asInt() >= 30, all);
      assertEquals(knocks.path("sent").asInt(), knocks.path("answered").asInt(), all);
      assertEquals(0, knocks.path("unansweredAfterGrace").asInt(), all);
      codes.propertyNames().forEach(c -> assertEquals("NOT_PAIRED/PAIRING_REQUIRED", c, all));
      assertEquals(30, r.path("pendingAfterStorm").asInt(), all);
      assertEquals(30, gw.pairing().list().pending().size());
      assertEquals("pairgate.pending", r.path("pendingVia").asString(), all);
      assertEquals(devices + 3, gw.pairing().list().paired().size());
      assertTrue(r.path("rss").path("rssMiB").asDouble() > 0, all);
    }
  }

  /**
   * The fast prepopulation of large fleets: store-json with most devices cloned from an imported
   * file, and SQLite through the import without per-row fsync; every device then reconnects.
   */
  @Test
  void fastImportsGiveStoresWhoseEveryDeviceConnects(@TempDir Path dir) throws Exception {
    int devices = 12;
    Path state = dir.resolve("oc");
    GatewayBench.populate(devices, state);
    GatewayBench.importStore(state, dir.resolve("json").toString(), null, 4);
    GatewayBench.importStore(state, null, dir.resolve("pg.db").toString(), 4);
    try (io.pairgate.spi.PairingStore json =
            io.pairgate.store.json.JsonPairingStore.open(dir.resolve("json"));
        io.pairgate.spi.PairingStore sqlite =
            io.pairgate.store.jdbc.JdbcPairingStore.sqlite(dir.resolve("pg.db")).open()) {
      for (io.pairgate.spi.PairingStore store : List.of(json, sqlite)) {
        try (PairgateGateway gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN)
            .autoApproveLocal(false).console(false).start()) {
          assertEquals(devices, gw.pairing().list().paired().size());
          try (WsLoad load = new WsLoad(gw.url(), TOKEN, 2)) {
            for (int i = 0; i < devices; i++) {
              WsLoad.Result r = load.connect(WsLoad.key("paired", i),
                  GatewayBench.RECONNECT_SCOPES, Map.of()).get();
              assertTrue(r.ok(), "device " + i + ": " + r);
            }
          }
        }
      }
    }
  }
}
