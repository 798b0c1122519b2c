package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.PairgateException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Boundaries of CIDR parsing and of forwarded-header resolution that the mutation run showed
 * unasserted: prefix digits, mapped prefixes, partial-byte masks, quoted Forwarded values, and
 * what {@link ClientAddress#describe()} tells an operator.
 */
class AddressParsingEdgesTest {

  @Test
  void prefixLengthsAreOneToThreeDigitsWithinTheFamily() {
    assertEquals("0.0.0.0/0", IpRange.parse("0.0.0.0/0").toString());
    assertEquals("10.0.0.0/9", IpRange.parse("10.0.0.0/9").toString());
    assertEquals("10.0.0.0/8", IpRange.parse("10.0.0.0/008").toString());
    assertEquals("10.0.0.1", IpRange.parse("10.0.0.1/32").toString());
    for (String bad : List.of("10.0.0.0/0008", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
        "10.0.0.0/1a", "::/129", "/8")) {
      assertThrows(PairgateException.class, () -> IpRange.parse(bad), bad);
    }
    assertTrue(assertThrows(PairgateException.class, () -> IpRange.parse("/8")).getMessage()
        .contains("empty"));
  }

  @Test
  void mappedRangesNeedAPrefixOf96To128() {
    assertEquals("0.0.0.0/0", IpRange.parse("::ffff:10.0.0.0/96").toString());
    assertEquals("10.0.0.1", IpRange.parse("::ffff:10.0.0.1/128").toString());
    assertThrows(PairgateException.class, () -> IpRange.parse("::ffff:10.0.0.0/95"));
    assertThrows(PairgateException.class, () -> IpRange.parse("::ffff:10.0.0.0/129"));
  }

  @Test
  void hostBitsInsideAByteAreCleared() {
    IpRange r = IpRange.parse("172.31.255.255/12");
    assertEquals("172.16.0.0/12", r.toString());
    assertTrue(r.contains(IpAddress.parse("172.31.0.1")));
    assertFalse(r.contains(IpAddress.parse("172.32.0.1")));
    assertEquals("fd00::/12", IpRange.parse("fd0f:ffff::1/12").toString());
  }

  @Test
  void aRangeInsidePrivateSpaceCoversNoPublicAddress() {
    assertFalse(IpRange.parse("10.0.0.0/8").coversPublicAddresses());
    assertFalse(IpRange.parse("::1").coversPublicAddresses());
    assertFalse(IpRange.parse("172.16.0.0/12").coversPublicAddresses());
    assertTrue(IpRange.parse("172.16.0.0/11").coversPublicAddresses());
    assertTrue(IpRange.parse("0.0.0.0/0").coversPublicAddresses());
  }

  @Test
  void anEmptyProxyListTrustsNobody() {
    assertTrue(TrustedProxies.none().isEmpty());
    assertTrue(TrustedProxies.parse(List.of()).isEmpty());
    assertFalse(TrustedProxies.parse(List.of("10.0.0.0/8")).isEmpty());
  }

  @Test
  void onlyRemoteIsNotLocal() {
    for (Locality l : Locality.values()) {
      assertEquals(l != Locality.REMOTE, l.isLocal(), l.name());
    }
  }

  @Test
  void aQuotedForwardedValueMayHoldEscapedQuotesAndCommas() {
    ClientAddress a = ClientAddress.resolve("10.0.0.2",
        Map.of("Forwarded", "for=\"192.0.2.60\";proto=\"h\\\"t,tp\", for=198.51.100.7"),
        TrustedProxies.parse(List.of("10.0.0.0/8")), false);
    assertEquals("198.51.100.7", a.address());
    assertEquals("", a.problem(), a.describe());
    assertTrue(a.isResolved());
  }

  @Test
  void aQuotedForwardedValueEndingInABackslashIsMalformedNotACrash() {
    TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8"));
    ClientAddress a = ClientAddress.resolve("10.0.0.2", Map.of("Forwarded", "for=\"1.2.3.4\\"),
        proxies, false);
    assertEquals(ClientAddress.Source.UNRESOLVED, a.source());
    assertFalse(a.problem().isEmpty());
  }

  @Test
  void unknownInXForwardedForIsAMalformedEntryNotAPlaceholder() {
    // RFC 7239 placeholders ("unknown", "_hidden") belong to Forwarded only
    ClientAddress a = ClientAddress.resolve("10.0.0.2", Map.of("X-Forwarded-For", "unknown"),
        TrustedProxies.parse(List.of("10.0.0.0/8")), false);
    assertEquals(ClientAddress.Source.UNRESOLVED, a.source());
    assertTrue(a.problem().contains("malformed X-Forwarded-For entry"), a.problem());
  }

  @Test
  void describeNamesTheHeadersThatWereIgnoredOrUsed() {
    ClientAddress ignored = ClientAddress.resolve("198.51.100.9", Map.of(
        "X-Forwarded-For", "1.2.3.4", "Forwarded", "for=1.2.3.4", "X-Real-IP", "1.2.3.4",
        "X-Forwarded-Host", "h"), TrustedProxies.none(), false);
    String d = ignored.describe();
    assertTrue(d.contains("X-Forwarded-For, Forwarded, X-Real-IP, X-Forwarded-Host"), d);
    assertTrue(ClientAddress.resolve("198.51.100.9", Map.of("Forwarded", "for=1.2.3.4"),
        TrustedProxies.none(), false).describe().contains("headers Forwarded ignored"));

    TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8"));
    ClientAddress both = ClientAddress.resolve("10.0.0.2",
        Map.of("X-Forwarded-For", "203.0.113.5, 10.0.0.3", "Forwarded", "for=198.51.100.1"),
        proxies, false);
    assertEquals("203.0.113.5", both.address());
    assertEquals(List.of("10.0.0.3"), both.proxyHops());
    assertTrue(both.describe().contains("from X-Forwarded-For via trusted proxy 10.0.0.2"),
        both.describe());
    assertTrue(both.describe().contains("skipped trusted hops 10.0.0.3"), both.describe());
    assertTrue(both.notes().stream().anyMatch(n -> n.contains("Forwarded ignored")));

    ClientAddress viaForwarded = ClientAddress.resolve("10.0.0.2",
        Map.of("Forwarded", "for=198.51.100.1"), proxies, false);
    assertTrue(viaForwarded.describe().contains("from Forwarded via"), viaForwarded.describe());
    ClientAddress realIp = ClientAddress.resolve("10.0.0.2", Map.of("X-Real-IP", "198.51.100.2"),
        proxies, true);
    assertTrue(realIp.describe().contains("from X-Real-IP via"), realIp.describe());
    ClientAddress badRealIp = ClientAddress.resolve("10.0.0.2", Map.of("X-Real-IP", "nope"),
        proxies, true);
    assertEquals(ClientAddress.Source.UNRESOLVED, badRealIp.source());
    assertTrue(badRealIp.problem().contains("X-Real-IP"), badRealIp.problem());
  }

  @Test
  void quotedInputIsCutAfter80Characters() {
    String eighty = "x".repeat(80);
    assertEquals(eighty, ClientAddress.sanitize(eighty));
    assertEquals(eighty + "...", ClientAddress.sanitize(eighty + "y"));
  }
}
