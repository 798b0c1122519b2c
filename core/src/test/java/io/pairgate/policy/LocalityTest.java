package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** R10.5 locality classes, with the §6.8 classification cases of the reference. */
class LocalityTest {
  private static final ClientInfo CLI = ClientInfo.of("cli", "cli", "linux");
  private static final ClientInfo UI = ClientInfo.of("control-ui", "webchat", "web");
  private static final ClientInfo APP = ClientInfo.of("openclaw-macos", "ui", "macOS 14.4");
  private static final ClientInfo NODE = ClientInfo.of("node-host", "node", "linux");

  /**
   * One row: peer, headers ("k=v;k=v"), client, auth, trusted proxies → expected class. The
   * client never matters any more (issue #14); rows keep varied clients to show that. Every
   * browser-container row configures the bridge {@code 172.17.0.0/16} unless it says otherwise.
   */
  private record Row(String name, String peer, String headers, ClientInfo client, AuthMethod auth,
      List<String> proxies, Locality expected) {}

  private static final List<String> NO_BRIDGE = List.of("no-bridge");

  private static final List<Row> ROWS = List.of(
      new Row("direct loopback with localhost Host", "127.0.0.1", "host=localhost:18789", APP,
          AuthMethod.NONE, List.of(), Locality.DIRECT_LOCAL),
      new Row("direct IPv6 loopback", "::1", "host=[::1]:18789", NODE, AuthMethod.SHARED_TOKEN,
          List.of(), Locality.DIRECT_LOCAL),
      new Row("IPv4-mapped loopback peer", "::ffff:127.0.0.1", "host=127.0.0.1", CLI,
          AuthMethod.DEVICE_TOKEN, List.of(), Locality.DIRECT_LOCAL),
      new Row("direct local wins over the shared-secret class", "127.0.0.1", "host=localhost",
          CLI, AuthMethod.SHARED_TOKEN, List.of(), Locality.DIRECT_LOCAL),
      new Row("Host is case-insensitive", "127.0.0.1", "host=LOCALHOST:1", CLI, AuthMethod.NONE,
          List.of(), Locality.DIRECT_LOCAL),
      // changed by issue #14: a forwarded loopback client used to be DIRECT_LOCAL
      new Row("trusted proxy forwarding a loopback client is proxied, never direct",
          "172.17.0.1", "host=localhost;x-forwarded-for=127.0.0.1", UI, AuthMethod.SHARED_TOKEN,
          List.of("172.17.0.0/16"), Locality.PROXIED_LOCAL),
      new Row("Forwarded for=[::1] behind a trusted proxy is proxied", "172.17.0.9",
          "host=127.0.0.1:18789;forwarded=for=\"[::1]\"", CLI, AuthMethod.SHARED_TOKEN,
          List.of("172.17.0.0/16"), Locality.PROXIED_LOCAL),
      new Row("a loopback client of a trusted loopback proxy cannot be told from the proxy",
          "127.0.0.1", "host=localhost;x-forwarded-for=127.0.0.1", UI, AuthMethod.SHARED_TOKEN,
          List.of("127.0.0.1"), Locality.REMOTE),
      new Row("trusted local proxy forwarding a remote client", "127.0.0.1",
          "host=localhost;x-forwarded-for=203.0.113.9", UI, AuthMethod.SHARED_TOKEN,
          List.of("127.0.0.1"), Locality.REMOTE),
      new Row("spoofed XFF from an untrusted loopback peer", "127.0.0.1",
          "host=localhost;x-forwarded-for=127.0.0.1", CLI, AuthMethod.SHARED_TOKEN, List.of(),
          Locality.REMOTE),
      new Row("X-Forwarded-Proto alone from an untrusted peer is a proxy header", "127.0.0.1",
          "host=localhost;x-forwarded-proto=https", CLI, AuthMethod.SHARED_TOKEN, List.of(),
          Locality.REMOTE),
      new Row("loopback peer with a foreign Host (DNS rebinding)", "127.0.0.1",
          "host=evil.example", APP, AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("loopback peer without a Host header", "127.0.0.1", "", APP, AuthMethod.NONE,
          List.of(), Locality.REMOTE),
      new Row("tailnet Host does not make loopback local", "127.0.0.1", "host=box.tail1.ts.net",
          APP, AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("strict Host: user info is not a host", "127.0.0.1", "host=localhost@evil.example",
          CLI, AuthMethod.SHARED_TOKEN, List.of(), Locality.REMOTE),
      new Row("strict Host: trailing garbage", "127.0.0.1", "host=127.0.0.1:80/x", CLI,
          AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("strict Host: leading-zero IPv4 is not loopback", "127.0.0.1", "host=127.000.0.1",
          CLI, AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("strict Host: short-form IPv4 is a name, not loopback", "127.0.0.1",
          "host=127.1", CLI, AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("strict Host: unbracketed IPv6", "::1", "host=::1", CLI, AuthMethod.NONE,
          List.of(), Locality.REMOTE),
      new Row("strict Host: zone id", "::1", "host=[::1%25lo]", CLI, AuthMethod.NONE, List.of(),
          Locality.REMOTE),
      new Row("strict Host: port out of range", "127.0.0.1", "host=localhost:65536", CLI,
          AuthMethod.NONE, List.of(), Locality.REMOTE),
      new Row("strict Host: empty port", "127.0.0.1", "host=localhost:", CLI, AuthMethod.NONE,
          List.of(), Locality.REMOTE),
      new Row("Docker-published loopback browser with a configured bridge", "172.17.0.1",
          "host=localhost:18789;origin=http://localhost:18789", UI, AuthMethod.SHARED_TOKEN,
          List.of(), Locality.BROWSER_CONTAINER_LOCAL),
      // changed by issue #14: needs a configured bridge, and the client kind does not matter
      new Row("browser-container is off without a configured bridge", "172.17.0.1",
          "host=localhost:18789;origin=http://localhost:18789", UI, AuthMethod.SHARED_TOKEN,
          NO_BRIDGE, Locality.REMOTE),
      new Row("a LAN peer forging loopback Host and Origin stays remote", "192.168.1.50",
          "host=127.0.0.1:18789;origin=http://127.0.0.1:18789", UI, AuthMethod.SHARED_TOKEN,
          List.of(), Locality.REMOTE),
      new Row("Docker-published non-loopback Origin stays remote", "172.17.0.1",
          "host=localhost:18789;origin=http://192.168.1.20:18789", UI, AuthMethod.SHARED_TOKEN,
          List.of(), Locality.REMOTE),
      new Row("browser-container for any client kind", "172.17.0.1",
          "host=localhost;origin=http://localhost", APP, AuthMethod.SHARED_TOKEN, List.of(),
          Locality.BROWSER_CONTAINER_LOCAL),
      new Row("browser-container needs shared-secret auth", "172.17.0.1",
          "host=localhost;origin=http://localhost", UI, AuthMethod.NONE, List.of(),
          Locality.REMOTE),
      new Row("a bridge peer without Origin is not loopback", "172.17.0.1", "host=localhost",
          CLI, AuthMethod.SHARED_TOKEN, List.of(), Locality.REMOTE),
      // changed by issue #14: the CLI no longer has its own class (client ids are not trusted)
      new Row("CLI in the container, private Host, shared token", "127.0.0.1",
          "host=172.18.0.2:18789", CLI, AuthMethod.SHARED_TOKEN, List.of(),
          Locality.SHARED_SECRET_LOOPBACK_LOCAL),
      new Row("CLI in the container, password", "127.0.0.1", "host=10.0.0.5", CLI,
          AuthMethod.PASSWORD, List.of(), Locality.SHARED_SECRET_LOOPBACK_LOCAL),
      new Row("CLI without shared-secret auth stays remote", "127.0.0.1", "host=172.18.0.2", CLI,
          AuthMethod.DEVICE_TOKEN, List.of(), Locality.REMOTE),
      new Row("non-CLI loopback + shared secret", "127.0.0.1", "host=172.18.0.2", APP,
          AuthMethod.SHARED_TOKEN, List.of(), Locality.SHARED_SECRET_LOOPBACK_LOCAL),
      new Row("non-CLI loopback without shared secret stays remote", "127.0.0.1",
          "host=172.18.0.2", APP, AuthMethod.TAILSCALE, List.of(), Locality.REMOTE),
      new Row("shared-secret loopback with forwarded headers stays remote", "127.0.0.1",
          "host=172.18.0.2;x-forwarded-host=gw.example", APP, AuthMethod.SHARED_TOKEN, List.of(),
          Locality.REMOTE),
      new Row("shared-secret loopback with a public Host stays remote", "127.0.0.1",
          "host=gw.example.com", APP, AuthMethod.SHARED_TOKEN, List.of(), Locality.REMOTE),
      new Row("a trusted proxy peer is never the container client", "127.0.0.1",
          "host=172.18.0.2", CLI, AuthMethod.SHARED_TOKEN, List.of("127.0.0.1"), Locality.REMOTE),
      new Row("LAN address of the same host is remote", "192.168.1.20", "host=192.168.1.20", APP,
          AuthMethod.SHARED_TOKEN, List.of(), Locality.REMOTE),
      new Row("unknown peer and no headers is remote", "", "", CLI, AuthMethod.SHARED_TOKEN,
          List.of(), Locality.REMOTE),
      new Row("malformed forwarding header is remote", "127.0.0.1",
          "host=localhost;x-forwarded-for=127.0.0.1, bogus", CLI, AuthMethod.SHARED_TOKEN,
          List.of("127.0.0.1"), Locality.REMOTE));

  private static List<IpRange> bridges(Row r) {
    return r.proxies() == NO_BRIDGE ? List.of() : List.of(IpRange.parse("172.17.0.0/16"));
  }

  private static List<String> proxies(Row r) {
    return r.proxies() == NO_BRIDGE ? List.of() : r.proxies();
  }

  @Test
  void everyRowClassifiesAsExpected() {
    for (Row r : ROWS) {
      Map<String, String> headers = new HashMap<>();
      if (!r.headers().isEmpty()) {
        for (String kv : r.headers().split(";")) {
          int eq = kv.indexOf('=');
          headers.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      ClientAddress a = ClientAddress.resolve(
          r.peer(), headers, TrustedProxies.parse(proxies(r)), false);
      Locality.Classification c = Locality.classify(a, headers, r.auth(), bridges(r));
      assertEquals(r.expected(), c.locality(), r.name() + ": " + c.reason());
      assertTrue(!c.reason().isEmpty(), r.name());
    }
  }

  @Test
  void everyClassIsCovered() {
    for (Locality l : Locality.values()) {
      assertTrue(ROWS.stream().anyMatch(r -> r.expected() == l), l.name());
    }
  }

  @Test
  void remoteReasonNamesTheDecidingFact() {
    ClientAddress a = ClientAddress.resolve("127.0.0.1", Map.of("x-forwarded-for", "127.0.0.1"),
        TrustedProxies.none(), false);
    Locality.Classification c = Locality.classify(a, Map.of("host", "localhost",
        "x-forwarded-for", "127.0.0.1"), AuthMethod.SHARED_TOKEN, List.of());
    assertEquals(Locality.REMOTE, c.locality());
    assertTrue(c.reason().contains("127.0.0.1, which is not a trusted proxy"), c.reason());
  }

  @Test
  void clientKinds() {
    assertEquals(ClientKind.CONTROL_UI, ClientKind.of(UI));
    assertEquals(ClientKind.CONTROL_UI, ClientKind.of(ClientInfo.of("openclaw-control-ui", "ui", "")));
    assertEquals(ClientKind.WEBCHAT, ClientKind.of(ClientInfo.of("chat", "webchat", "")));
    assertEquals(ClientKind.CLI, ClientKind.of(CLI));
    assertEquals(ClientKind.OTHER, ClientKind.of(ClientInfo.of("cli", "backend-ish", "")));
    assertEquals(ClientKind.BACKEND, ClientKind.of(ClientInfo.of("gateway-client", "backend", "")));
    assertEquals(ClientKind.NATIVE_APP, ClientKind.of(APP));
    assertEquals(ClientKind.NODE_HOST, ClientKind.of(NODE));
    assertEquals(ClientKind.OTHER, ClientKind.of(ClientInfo.unknown()));
  }
}
