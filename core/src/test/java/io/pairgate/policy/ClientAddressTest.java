package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.policy.ClientAddress.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** R10.3: resolving the client address behind trusted proxies. */
class ClientAddressTest {
  private static final TrustedProxies DOCKER = TrustedProxies.parse(List.of("172.17.0.0/16"));

  private static ClientAddress resolve(String peer, Map<String, String> headers, TrustedProxies p) {
    return ClientAddress.resolve(peer, headers, p, false);
  }

  @Test
  void directConnectionIsThePeer() {
    ClientAddress a = resolve("203.0.113.7", Map.of(), TrustedProxies.none());
    assertEquals("203.0.113.7", a.address());
    assertEquals(Source.PEER, a.source());
    assertTrue(a.isResolved());
    assertFalse(a.proxyHeaders());
    assertEquals("127.0.0.1", resolve("::ffff:127.0.0.1", Map.of(), TrustedProxies.none()).address());
  }

  @Test
  void unknownPeerResolvesToNothing() {
    ClientAddress a = resolve("", Map.of(), TrustedProxies.none());
    assertEquals("", a.address());
    assertEquals(Source.NONE, a.source());
    assertFalse(a.isResolved());
    ClientAddress bad = resolve("not-an-ip\n", Map.of(), TrustedProxies.none());
    assertEquals(Source.NONE, bad.source());
    assertEquals("not-an-ip?", bad.peer(), "control characters are sanitized");
    assertTrue(bad.problem().contains("is not an IP address"), bad.problem());
  }

  @Test
  void spoofedForwardedForFromAnUntrustedPeerIsIgnored() {
    ClientAddress a = resolve("203.0.113.7", Map.of("x-forwarded-for", "127.0.0.1"),
        TrustedProxies.none());
    assertEquals("203.0.113.7", a.address(), "the claimed loopback client is not believed");
    assertEquals(Source.PEER_HEADERS_IGNORED, a.source());
    assertFalse(a.isResolved(), "never eligible for address-based approval");
    assertTrue(a.notes().get(0).contains("ignored"), a.notes().toString());
    // a loopback peer that is not a trusted proxy: same
    ClientAddress b = resolve("127.0.0.1", Map.of("X-Real-IP", "10.0.0.9"), TrustedProxies.none());
    assertEquals(Source.PEER_HEADERS_IGNORED, b.source());
  }

  @Test
  void dockerBridgeCidrTrustsTheBridgeGatewayAndWalksRightToLeft() {
    ClientAddress a = resolve("172.17.0.1",
        Map.of("x-forwarded-for", "198.51.100.1, 203.0.113.9"), DOCKER);
    assertEquals("203.0.113.9", a.address(), "rightmost untrusted hop, not the client's own claim");
    assertEquals(Source.X_FORWARDED_FOR, a.source());
    assertEquals("172.17.0.0/16", a.trustedBy());
    assertTrue(a.isResolved());
  }

  @Test
  void trustedHopsAreSkippedAndReported() {
    TrustedProxies two = TrustedProxies.parse(List.of("10.0.0.0/24", "fd00::/8"));
    ClientAddress a = resolve("10.0.0.2",
        Map.of("x-forwarded-for", "203.0.113.9, [fd00::5]:8443, 10.0.0.3"), two);
    assertEquals("203.0.113.9", a.address());
    assertEquals(List.of("10.0.0.3", "fd00::5"), a.proxyHops());
    assertTrue(a.describe().contains("skipped trusted hops 10.0.0.3 <- fd00::5"), a.describe());
  }

  @Test
  void aProxyInsideATrustedRangeDoesNotMakeItsClientsTrusted() {
    // HA #15544: the proxy's address is trusted; the client it forwards for is not the proxy
    ClientAddress a = resolve("172.17.0.1", Map.of("x-forwarded-for", "203.0.113.9"), DOCKER);
    assertEquals("203.0.113.9", a.address());
    assertFalse(a.ip().orElseThrow().isPrivateOrLoopback());
    // a client whose own address is inside the trusted range cannot be told from a proxy hop:
    // the walk runs out and the client stays unresolved (recorded as the proxy)
    ClientAddress b = resolve("172.17.0.1", Map.of("x-forwarded-for", "172.17.0.5"), DOCKER);
    assertEquals(Source.UNRESOLVED, b.source());
    assertEquals("172.17.0.1", b.address());
    assertFalse(b.isResolved());
  }

  @Test
  void trustedPeerWithoutForwardingHeaderIsUnresolved() {
    ClientAddress a = resolve("172.17.0.1", Map.of(), DOCKER);
    assertEquals(Source.UNRESOLVED, a.source());
    assertFalse(a.proxyHeaders());
    assertTrue(a.describe().contains("sent no X-Forwarded-For"), a.describe());
  }

  @Test
  void malformedForwardedForMakesTheClientUnresolvedWithAProblem() {
    ClientAddress a = resolve("172.17.0.1", Map.of("x-forwarded-for", "203.0.113.9, evil"), DOCKER);
    assertEquals(Source.UNRESOLVED, a.source());
    assertTrue(a.problem().contains("malformed X-Forwarded-For entry 'evil'"), a.problem());
    ClientAddress empty = resolve("172.17.0.1", Map.of("x-forwarded-for", "203.0.113.9,,"), DOCKER);
    assertFalse(empty.problem().isEmpty());
    // a malformed entry left of the client keeps the address but is still a problem
    ClientAddress left = resolve("172.17.0.1", Map.of("x-forwarded-for", "junk, 203.0.113.9"), DOCKER);
    assertEquals("203.0.113.9", left.address());
    assertFalse(left.isResolved());
    assertTrue(left.problem().contains("'junk'"), left.problem());
  }

  @Test
  void forwardedHeaderIsUsedWhenThereIsNoXForwardedFor() {
    ClientAddress a = resolve("172.17.0.1",
        Map.of("forwarded", "for=unknown, for=\"[2001:db8::7]:4711\";proto=https, for=172.17.0.3"),
        DOCKER);
    assertEquals("2001:db8::7", a.address());
    assertEquals(Source.FORWARDED, a.source());
    assertEquals(List.of("172.17.0.3"), a.proxyHops());
    assertTrue(a.isResolved(), "an unknown hop left of the client is allowed by RFC 7239");
    ClientAddress hidden = resolve("172.17.0.1", Map.of("forwarded", "for=_hidden"), DOCKER);
    assertEquals(Source.UNRESOLVED, hidden.source());
    ClientAddress both = resolve("172.17.0.1",
        Map.of("forwarded", "for=198.51.100.2", "x-forwarded-for", "203.0.113.9"), DOCKER);
    assertEquals("203.0.113.9", both.address());
    assertTrue(both.notes().contains("Forwarded ignored: X-Forwarded-For takes precedence"));
  }

  @Test
  void realIpOnlyWithExplicitFallback() {
    Map<String, String> h = Map.of("x-real-ip", "203.0.113.9");
    ClientAddress off = ClientAddress.resolve("172.17.0.1", h, DOCKER, false);
    assertEquals(Source.UNRESOLVED, off.source());
    assertTrue(off.describe().contains("X-Real-IP ignored"), off.describe());
    ClientAddress on = ClientAddress.resolve("172.17.0.1", h, DOCKER, true);
    assertEquals(Source.X_REAL_IP, on.source());
    assertEquals("203.0.113.9", on.address());
    ClientAddress bad = ClientAddress.resolve("172.17.0.1", Map.of("x-real-ip", "x"), DOCKER, true);
    assertTrue(bad.problem().contains("malformed X-Real-IP"));
    // X-Forwarded-For wins over X-Real-IP
    ClientAddress xff = ClientAddress.resolve("172.17.0.1",
        Map.of("x-real-ip", "198.51.100.2", "x-forwarded-for", "203.0.113.9"), DOCKER, true);
    assertEquals("203.0.113.9", xff.address());
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    ClientAddress a = resolve("172.17.0.1", Map.of("X-Forwarded-For", "203.0.113.9"), DOCKER);
    assertEquals("203.0.113.9", a.address());
  }
}
