package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.AuthMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A remote classification tells the operator why (R10.5, shown by {@code pairgate explain}): every
 * failed condition of every local class is named with the fact that decided it.
 */
class LocalityReasonsTest {
  private static final List<IpRange> NO_BRIDGES = List.of();

  private static String remote(String peer, TrustedProxies proxies, AuthMethod auth,
      List<IpRange> bridges, String... headers) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i], headers[i + 1]);
    }
    ClientAddress a = ClientAddress.resolve(peer, h, proxies, false);
    Locality.Classification c = Locality.classify(a, h, auth, bridges);
    assertEquals(Locality.REMOTE, c.locality(), c.reason());
    return c.reason();
  }

  private static void names(String reason, String... facts) {
    for (String f : facts) {
      assertTrue(reason.contains(f), () -> "'" + f + "' missing from: " + reason);
    }
  }

  @Test
  void loopbackPeerWithoutCredentialAndAForeignHost() {
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.NONE, NO_BRIDGES,
        "Host", "evil.example"),
        "Host 'evil.example' is not localhost or a loopback address", "auth is none");
  }

  @Test
  void missingOrMalformedHost() {
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES),
        "not direct-local: no Host header", "not container-local: no Host header");
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "[::1]evil"), "is not an RFC 3986 host[:port]");
    names(remote("::1", TrustedProxies.none(), AuthMethod.PASSWORD, NO_BRIDGES,
        "Host", "8.8.8.8"), "Host '8.8.8.8' is not a private or loopback address");
  }

  @Test
  void proxyHeadersFromAnUntrustedOrATrustedPeer() {
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost", "X-Forwarded-For", "203.0.113.5"),
        "which is not a trusted proxy", "proxy headers present");
    TrustedProxies loopbackProxy = TrustedProxies.parse(List.of("127.0.0.1"));
    names(remote("127.0.0.1", loopbackProxy, AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost", "X-Forwarded-For", "203.0.113.5"),
        "client 203.0.113.5 was named by a proxy header",
        "forwarded client 203.0.113.5 is not loopback");
    names(remote("127.0.0.1", loopbackProxy, AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost"), "could not be resolved", "is a trusted proxy");
    names(remote("127.0.0.1", loopbackProxy, AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost", "X-Forwarded-For", "bogus, 203.0.113.5"), "not local: malformed");
  }

  @Test
  void unknownOrPublicPeers() {
    names(remote("", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost"), "the socket peer address is unknown");
    names(remote("203.0.113.9", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "localhost"), "client 203.0.113.9 is not a loopback address");
  }

  @Test
  void browserContainerNeedsConfiguredBridgesAndLoopbackHostAndOrigin() {
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, NO_BRIDGES,
        "Host", "192.168.1.2", "Origin", "http://localhost:18789"),
        "no browserContainerBridges are configured");
    List<IpRange> bridge = List.of(IpRange.parse("172.17.0.0/16"));
    names(remote("127.0.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, bridge,
        "Host", "192.168.1.2", "Origin", "http://localhost:18789"),
        "peer 127.0.0.1 is not in a configured bridge range");
    names(remote("172.17.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, bridge,
        "Host", "localhost", "Origin", "https://evil.example"), "must both be loopback");
    names(remote("172.17.0.1", TrustedProxies.none(), AuthMethod.SHARED_TOKEN, bridge,
        "Host", "localhost"), "peer 172.17.0.1 is not loopback");
    Locality.Classification ok = Locality.classify(
        ClientAddress.resolve("172.17.0.1", Map.of(), TrustedProxies.none(), false),
        Map.of("Host", "localhost:18789", "Origin", "http://localhost:18789"),
        AuthMethod.SHARED_TOKEN, bridge);
    assertEquals(Locality.BROWSER_CONTAINER_LOCAL, ok.locality(), ok.reason());
  }
}
