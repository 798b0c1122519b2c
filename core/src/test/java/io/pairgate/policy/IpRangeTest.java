package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** R10.1: address and CIDR parsing without DNS, IPv4-mapped normalization, matching. */
class IpRangeTest {

  private static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  @Test
  void parsesAndCanonicalizesAddresses() {
    assertEquals("10.0.0.1", ip("10.0.0.1").toString());
    assertEquals("2001:db8::1", ip("2001:0DB8:0000:0000:0000:0000:0000:0001").toString());
    assertEquals("::", ip("::").toString());
    assertEquals("::1", ip("0:0:0:0:0:0:0:1").toString());
    assertEquals("1::", ip("1:0:0:0:0:0:0:0").toString());
    assertEquals("1:0:0:2::", ip("1:0:0:2:0:0:0:0").toString(), "longest zero run is compressed");
    assertEquals("2001:db8:0:1:1:1:1:1", ip("2001:db8:0:1:1:1:1:1").toString(), "no :: for one group");
    assertEquals("fe80::1:2", ip("fe80::0.1.0.2").toString(), "embedded dotted tail");
  }

  @Test
  void ipv4MappedIpv6IsNormalizedToIpv4() {
    assertEquals(ip("127.0.0.1"), ip("::ffff:127.0.0.1"));
    assertEquals(ip("192.0.2.1"), ip("::ffff:c000:201"));
    assertEquals(ip("192.0.2.1"), ip("0:0:0:0:0:ffff:192.0.2.1"));
    assertTrue(ip("::ffff:127.0.0.1").isIpv4());
    assertTrue(ip("::ffff:127.0.0.1").isLoopback());
    assertEquals("192.0.2.1", ip("::ffff:192.0.2.1").toString());
  }

  @Test
  void refusesAnythingThatIsNotALiteral() {
    for (String bad : List.of("", "localhost", "gateway.internal", "1.2.3", "1.2.3.4.5", "256.0.0.1",
        "010.0.0.1", "1.2.3.-1", " 1.2.3.4", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "1::2::3",
        ":::", "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3.4::", "::1.2.3", "g::1", "1:2:3:4:5:6:7")) {
      assertEquals(Optional.empty(), IpAddress.tryParse(bad), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT,
          assertThrows(PairgateException.class, () -> IpAddress.parse(bad)).code(), bad);
    }
  }

  @Test
  void endpointsMayCarryPortsBracketsAndZones() {
    assertEquals(Optional.of(ip("192.0.2.1")), IpAddress.parseEndpoint("192.0.2.1:5000"));
    assertEquals(Optional.of(ip("::1")), IpAddress.parseEndpoint("[::1]:443"));
    assertEquals(Optional.of(ip("::1")), IpAddress.parseEndpoint("[::1]"));
    assertEquals(Optional.of(ip("fe80::1")), IpAddress.parseEndpoint("fe80::1%eth0"));
    assertEquals(Optional.of(ip("127.0.0.1")), IpAddress.parseEndpoint(" ::ffff:127.0.0.1 "));
    assertEquals(Optional.empty(), IpAddress.parseEndpoint("192.0.2.1:99999"));
    assertEquals(Optional.empty(), IpAddress.parseEndpoint("[::1"));
    assertEquals(Optional.empty(), IpAddress.parseEndpoint("host.example:80"));
    assertEquals(Optional.empty(), IpAddress.parseEndpoint(""));
  }

  @Test
  void classifiesLoopbackAndPrivate() {
    assertTrue(ip("127.8.9.10").isLoopback());
    assertTrue(ip("::1").isLoopback());
    assertFalse(ip("::2").isLoopback());
    for (String p : List.of("10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.0.5",
        "fd00::1", "fc12::1", "fe80::1")) {
      assertTrue(ip(p).isPrivate(), p);
    }
    for (String p : List.of("172.15.0.1", "172.32.0.1", "100.64.0.1", "8.8.8.8", "2001:db8::1",
        "127.0.0.1")) {
      assertFalse(ip(p).isPrivate(), p);
    }
  }

  @Test
  void ipv4CidrMatchesTheWholeRangeAndNothingElse() {
    IpRange docker = IpRange.parse("172.17.0.0/16");
    assertTrue(docker.contains(ip("172.17.0.1")), "the Docker bridge gateway");
    assertTrue(docker.contains(ip("172.17.255.254")));
    assertTrue(docker.contains(ip("::ffff:172.17.0.1")), "IPv4-mapped peer");
    assertFalse(docker.contains(ip("172.18.0.1")));
    assertFalse(docker.contains(ip("172.16.255.255")));
    assertFalse(docker.contains(ip("::1")), "IPv6 never matches an IPv4 range");
    IpRange odd = IpRange.parse("10.0.0.0/13");
    assertTrue(odd.contains(ip("10.7.255.255")));
    assertFalse(odd.contains(ip("10.8.0.0")));
    assertTrue(IpRange.parse("0.0.0.0/0").contains(ip("203.0.113.9")));
  }

  @Test
  void ipv6CidrMatchesTheWholeRangeAndNothingElse() {
    IpRange ula = IpRange.parse("fd00::/8");
    assertTrue(ula.contains(ip("fd12:3456::1")));
    assertFalse(ula.contains(ip("fe80::1")));
    IpRange r = IpRange.parse("2001:db8:abcd:12::/63");
    assertTrue(r.contains(ip("2001:db8:abcd:13:ffff::1")));
    assertFalse(r.contains(ip("2001:db8:abcd:14::1")));
    assertFalse(r.contains(ip("10.0.0.1")));
    IpRange single = IpRange.parse("::1");
    assertTrue(single.isSingleAddress());
    assertTrue(single.contains(ip("0:0:0:0:0:0:0:1")));
    assertFalse(single.contains(ip("::2")));
  }

  @Test
  void hostBitsAreClearedAndMappedRangesBecomeIpv4() {
    assertEquals(IpRange.parse("172.17.0.0/16"), IpRange.parse("172.17.0.1/16"));
    assertEquals("172.17.0.0/16", IpRange.parse("172.17.0.1/16").toString());
    assertEquals(IpRange.parse("10.0.0.0/8"), IpRange.parse("::ffff:10.0.0.0/104"));
    assertEquals("10.0.0.1", IpRange.parse("10.0.0.1").toString());
    assertEquals("2001:db8::/32", IpRange.parse("2001:db8:1::/32").toString());
  }

  @Test
  void malformedEntriesAreTypedErrorsSayingWhy() {
    assertEquals("malformed address or CIDR range \"proxy.local\": host names are not resolved;"
        + " give an IP address or a CIDR range", message("proxy.local"));
    assertTrue(message("10.0.0.1:8080").endsWith("ports are not allowed"));
    assertTrue(message("[::1]").contains("without brackets"));
    assertTrue(message("fe80::1%eth0").contains("zone ids"));
    assertTrue(message("10.0.0.0/33").contains("prefix length 33 is out of range 0-32"));
    assertTrue(message("fd00::/129").contains("out of range 0-128"));
    assertTrue(message("10.0.0.0/").contains("must be a number"));
    assertTrue(message("10.0.0.0/8/8").contains("must be a number"));
    assertTrue(message("::ffff:10.0.0.0/8").contains("96-128"));
    assertTrue(message("").contains("empty"));
    assertTrue(message("300.1.1.1").contains("not an IPv4 or IPv6 address"));
  }

  private static String message(String entry) {
    PairgateException e = assertThrows(PairgateException.class, () -> IpRange.parse(entry));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  @Test
  void trustedProxiesNameEveryBadEntry() {
    PairgateException e = assertThrows(PairgateException.class,
        () -> TrustedProxies.parse(List.of("127.0.0.1", "nginx", "10.0.0.0/40")));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("entry 2: ") && e.getMessage().contains("\"nginx\""),
        e.getMessage());
    assertTrue(e.getMessage().contains("entry 3: "), e.getMessage());
    TrustedProxies ok = TrustedProxies.parse(List.of("127.0.0.1", "172.17.0.0/16"));
    assertEquals(Optional.of(IpRange.parse("172.17.0.0/16")), ok.match(ip("172.17.0.1")));
    assertFalse(ok.contains(ip("203.0.113.9")));
  }

  @Test
  void publicCoverageAndOverlapForDiagnostics() {
    assertFalse(IpRange.parse("172.17.0.0/16").coversPublicAddresses());
    assertFalse(IpRange.parse("127.0.0.1").coversPublicAddresses());
    assertFalse(IpRange.parse("fd00::/8").coversPublicAddresses());
    assertTrue(IpRange.parse("172.0.0.0/8").coversPublicAddresses());
    assertTrue(IpRange.parse("0.0.0.0/0").coversPublicAddresses());
    assertTrue(IpRange.parse("::/0").coversPublicAddresses());
    assertTrue(IpRange.parse("10.0.0.0/8").overlaps(IpRange.parse("10.1.0.0/16")));
    assertFalse(IpRange.parse("10.0.0.0/8").overlaps(IpRange.parse("11.0.0.0/8")));
  }
}
