package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.PairgateException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Strict RFC 3986 host[:port] (R10.5) and browser origins (R16.4). */
class HostPortTest {

  @Test
  void validHostsParse() {
    assertEquals(new HostPort("localhost", 18789, null), HostPort.parse("LocalHost:18789").get());
    HostPort v6 = HostPort.parse("[::1]:443").orElseThrow();
    assertEquals("::1", v6.host());
    assertEquals(443, v6.port());
    assertTrue(v6.isLoopback());
    assertEquals("[::1]:443", v6.toString());
    assertTrue(HostPort.parse(" 127.0.0.1 ").orElseThrow().isLoopback(), "HTTP whitespace");
    assertTrue(HostPort.parse("[::ffff:127.0.0.1]").orElseThrow().isLoopback(), "mapped");
    assertEquals(-1, HostPort.parse("gw.example").orElseThrow().port());
    assertEquals(80, HostPort.parse("gw.example").orElseThrow().portOr(80));
    assertTrue(HostPort.parse("10.0.0.5:1").orElseThrow().isPrivateOrLoopback());
    assertFalse(HostPort.parse("gw.example").orElseThrow().isLoopback());
    assertFalse(HostPort.parse("127.1").orElseThrow().isLoopback(), "a name, not an address");
    assertFalse(HostPort.parse("0x7f.0.0.1").orElseThrow().isLoopback());
    assertFalse(HostPort.parse("localhost.").orElseThrow().isLoopback());
    assertTrue(HostPort.parse("xn--bcher-kva.example:8080").isPresent());
    assertTrue(HostPort.parse("a%41b").isPresent(), "percent-encoded");
    assertFalse(HostPort.parse("127.0.0.1.5").orElseThrow().isLoopback(), "a name");
  }

  @Test
  void anythingElseDoesNotParse() {
    for (String bad : List.of("", " ", "::1", "[::1", "[::1]x", "[::1%lo]", "[fe80::1%25eth0]",
        "[v1.x]", "[127.0.0.1]", "localhost:", "localhost:65536", "localhost:123456",
        "localhost:-1", "localhost:8a", "user@localhost", "localhost/path", "local host",
        "a:b:c", "127.000.0.1", "256.0.0.1", "a%4", "a%zz", "tab\there",
        "h".repeat(301))) {
      assertTrue(HostPort.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void originsParseStrictlyAndNormalize() {
    BrowserOrigin o = BrowserOrigin.parse("HTTPS://Control.Example.COM").orElseThrow();
    assertEquals(new BrowserOrigin("https", "control.example.com", 443), o);
    assertEquals(o, BrowserOrigin.parse("https://control.example.com:443").orElseThrow());
    assertEquals("https://control.example.com", o.toString());
    assertEquals("http://[::1]:8080", BrowserOrigin.parse("http://[::1]:8080").get().toString());
    assertTrue(BrowserOrigin.parse("http://localhost:5173").orElseThrow().isLoopback());
    for (String bad : List.of("null", "https://", "https://a/", "https://a/b", "https://u@a",
        "https://a?x", "https://a#f", "://a", "1http://a", "https//a", "https://a:99999",
        "https:// a")) {
      assertTrue(BrowserOrigin.parse(bad).isEmpty(), bad);
    }
    assertThrows(PairgateException.class, () -> BrowserOrigin.parseAllowed("null"));
    assertThrows(PairgateException.class, () -> BrowserOrigin.parseAllowed("https://a/path"));
  }

  @Test
  void ownOriginFollowsHostAndTheConnectionScheme() {
    HostPort explicit = HostPort.parse("gw.example:18789").orElseThrow();
    HostPort implicit = HostPort.parse("gw.example").orElseThrow();
    BrowserOrigin http18789 = BrowserOrigin.parse("http://gw.example:18789").orElseThrow();
    BrowserOrigin https = BrowserOrigin.parse("https://gw.example").orElseThrow();
    BrowserOrigin http = BrowserOrigin.parse("http://gw.example").orElseThrow();
    Set<String> gw = Set.of("gw.example");
    assertTrue(http18789.isOwnOrigin(explicit, "", gw));
    assertTrue(http18789.isOwnOrigin(explicit, "ws", gw));
    assertFalse(http18789.isOwnOrigin(explicit, "wss", gw));
    assertTrue(https.isOwnOrigin(implicit, "", gw), "Host without a port: the scheme's default");
    assertTrue(https.isOwnOrigin(implicit, "wss", gw));
    assertFalse(https.isOwnOrigin(implicit, "ws", gw), "https page, plain connection: port 80");
    assertTrue(http.isOwnOrigin(implicit, "ws", gw));
    assertFalse(http.isOwnOrigin(explicit, "", gw));
    assertFalse(BrowserOrigin.parse("http://other.example:18789").get()
        .isOwnOrigin(explicit, "", gw));
    // R16.5: a host name that is not a configured gateway host is never the gateway's own
    // (DNS rebinding); IP literals and localhost are
    assertFalse(http18789.isOwnOrigin(explicit, ""));
    assertFalse(http18789.isOwnOrigin(explicit, "ws", Set.of("other.example")));
    assertTrue(BrowserOrigin.parse("http://127.0.0.1:18789").get()
        .isOwnOrigin(HostPort.parse("127.0.0.1:18789").orElseThrow(), "ws"));
    assertTrue(BrowserOrigin.parse("http://localhost:18789").get()
        .isOwnOrigin(HostPort.parse("localhost:18789").orElseThrow(), "ws"));
    assertTrue(BrowserOrigin.parse("http://[::1]:18789").get()
        .isOwnOrigin(HostPort.parse("[::1]:18789").orElseThrow(), "ws"));
    assertFalse(BrowserOrigin.parse("ftp://gw.example:18789").get().isOwnOrigin(explicit, ""));
  }

  @Test
  void refusalExplainsWithoutEchoingControlCharacters() {
    List<BrowserOrigin> none = List.of();
    assertTrue(BrowserOrigin.refusal(Map.of(), "", none).isEmpty(), "no Origin: not a browser");
    assertTrue(BrowserOrigin.refusal(Map.of("Origin", "http://a:1", "Host", "a:1"), "", none,
        Set.of("a")).isEmpty());
    assertTrue(BrowserOrigin.refusal(Map.of("Origin", "http://a:1", "Host", "a:1"), "", none)
        .orElseThrow().contains("not one of gatewayHosts"), "R16.5: an unconfigured name");
    String why = BrowserOrigin.refusal(Map.of("origin", "http://evil\n.example", "host", "a"), "",
        none).orElseThrow();
    assertFalse(why.contains("\n"), why);
    assertTrue(BrowserOrigin.refusal(Map.of("origin", "http://b"), "", none).orElseThrow()
        .contains("Host missing"));
    assertTrue(BrowserOrigin.refusal(Map.of("origin", "http://b"), "",
        List.of(BrowserOrigin.parseAllowed("http://b:80"))).isEmpty());
  }
}
