package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.AuthMethod;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.store.json.JsonPairingStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The {@code pairgate gateway} entry point: options, output, SIGTERM. */
class GatewayMainTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GatewayMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Run(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void refusesANonLoopbackBindWithoutAToken() {
    Run r = run(Map.of(), "--bind", "0.0.0.0", "--port", "0", "--store",
        dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("refusing to listen on 0.0.0.0 without a shared token"), r.err());
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertEquals(2, run(Map.of(), "--port", "x").code());
    assertEquals(2, run(Map.of(), "--frobnicate").code());
    assertEquals(2, run(Map.of(), "--token-env", "NOPE_NOT_SET").code());
    Run two = run(Map.of("T", "tok-shared-0123456789abcdef"), "--token-env", "T", "--token",
        "tok-shared-0123456789abcdef");
    assertEquals(2, two.code());
    assertTrue(two.err().contains("give the shared token once"), two.err());
    Run shortToken = run(Map.of("T", "short"), "--token-env", "T");
    assertTrue(shortToken.err().contains("at least 16 characters"), shortToken.err());
  }

  @Test
  void helpStatesTheAutoApproveDefault() {
    Run r = run(Map.of(), "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("--auto-approve-local   approve connects from this host"
        + " silently (the default)"), r.out());
  }

  @Test
  void optionsParse() {
    GatewayMain.Options o = GatewayMain.parse(new String[] {"--port", "0", "--bind", "::1",
        "--token-env", "T", "--no-auto-approve-local", "--trusted-proxy", "10.0.0.0/8",
        "--hello-scopes", "token", "--jdbc", "jdbc:sqlite:/tmp/x.db"},
        Map.of("T", "tok-shared-0123456789abcdef"));
    assertEquals(0, o.port());
    assertEquals("::1", o.bind());
    assertEquals("tok-shared-0123456789abcdef", o.token());
    assertEquals(false, o.autoApproveLocal());
    assertEquals(List.of("10.0.0.0/8"), o.trustedProxies());
    assertEquals(HelloScopes.TOKEN, o.helloScopes());
    assertTrue(GatewayMain.parse(new String[0], Map.of()).autoApproveLocal(),
        "silent local approval is on by default");
    GatewayMain.Options c = GatewayMain.parse(new String[] {"--allowed-origin",
        "https://gw.example.com", "--allowed-origin=http://10.0.0.5:18789", "--no-console"},
        Map.of());
    assertEquals(List.of("https://gw.example.com", "http://10.0.0.5:18789"), c.allowedOrigins());
    assertEquals(false, c.console());
    assertEquals(List.of(), c.gatewayHosts());
    assertEquals(List.of("gw.lan", "Gateway.Example.com"), GatewayMain.parse(new String[] {
        "--gateway-host", "gw.lan", "--gateway-host=Gateway.Example.com"}, Map.of())
        .gatewayHosts());
    for (String bad : List.of("http://gw.lan", "gw.lan:18789", "gw.lan/x")) {
      io.pairgate.PairgateException e = org.junit.jupiter.api.Assertions.assertThrows(
          io.pairgate.PairgateException.class,
          () -> GatewayMain.parse(new String[] {"--gateway-host", bad}, Map.of()));
      assertTrue(e.getMessage().contains("malformed gateway host"), e.getMessage());
    }
    assertTrue(GatewayMain.parse(new String[0], Map.of()).console(), "the console is on by default");
    assertEquals("--store '/tmp/my store/it'\\''s'", GatewayMain.shellWords("--store /tmp/my store/it's"));
    assertEquals("--store /tmp/x", GatewayMain.shellWords("--store /tmp/x"));
  }

  @Test
  void childProcessPrintsTheUrlWarnsAboutTokenOnTheCommandLineAndStopsCleanlyOnSigterm()
      throws Exception {
    Path store = dir.resolve("store");
    try (GatewayProcess g = GatewayProcess.start(dir, "--port", "0", "--store", store.toString(),
        "--token", GatewayTestBase.TOKEN, "--no-auto-approve-local")) {
      assertTrue(g.url.startsWith("ws://127.0.0.1:"), g.url);
      String out = g.outputText();
      assertTrue(out.contains("warning: --token puts the shared token in the process list"), out);
      assertTrue(out.contains("openclaw devices list --url " + g.url + " --token <token>"), out);
      assertTrue(out.contains("devices approve <requestId>"), out);
      String consoleUrl = g.url.replace("ws://", "http://") + "/console";
      assertTrue(out.contains("open " + consoleUrl + " (operator console"), out);
      assertTrue(!out.contains(GatewayTestBase.TOKEN), "the token is never printed");
      // the console tells a new visitor the exact command for this store (loopback bind)
      java.net.http.HttpResponse<String> cfg = WsClient.HTTP.send(java.net.http.HttpRequest
          .newBuilder(java.net.URI.create(consoleUrl + "/config.json")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals("pairgate " + GatewayMain.shellWords("--store " + store) + " devices approve",
          io.pairgate.gateway.internal.Wire.JSON.readTree(cfg.body()).path("approveCommand")
              .asString(), cfg.body());
      // a device asks to pair (a store write), and a live socket sees the shutdown
      Devices d = new Devices();
      WsClient ws = WsClient.open(g.url);
      ConnectProof p = d.sign(ws.challenge(), Role.OPERATOR, List.of("operator.pairing"),
          AuthMethod.SHARED_TOKEN, GatewayTestBase.TOKEN);
      JsonNode res = ws.call("connect", WsClient.connectParams(p, GatewayTestBase.TOKEN));
      String rid = res.path("error").path("details").path("requestId").asString();
      WsClient idle = WsClient.open(g.url);
      idle.challenge();
      assertEquals(143, g.stop(), "128 + SIGTERM, after the shutdown hook ran");
      assertTrue(g.outputText().contains("pairgate gateway: stopped; store closed"),
          g.outputText());
      assertEquals(1012, idle.awaitClose().code());
      // the store was closed (its lock released) and holds the request
      try (JsonPairingStore s = JsonPairingStore.open(store)) {
        assertTrue(s.findByRequestId(RequestId.of(rid)).isPresent());
      }
    }
  }

  @Test
  void tokenFileIsRead() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, GatewayTestBase.TOKEN + "\n");
    GatewayMain.Options o = GatewayMain.parse(new String[] {"--token-file", f.toString()},
        Map.of());
    assertEquals(GatewayTestBase.TOKEN, o.token());
  }
}
