package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.ErrorCode;
import io.pairgate.testsupport.FuzzText;
import io.pairgate.PairgateException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes CIDR and address-literal parsing ({@link IpRange#parse}, {@link IpAddress#parse},
 * {@link TrustedProxies#parse}). Every input is either refused with
 * {@link ErrorCode#INVALID_ARGUMENT} and printable, bounded text, or it is a range whose canonical
 * text reads back as the same range, whose network has no host bits, and whose membership is
 * exactly "the first prefix-length bits agree" (checked by flipping single bits of the network).
 */
class CidrFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void parseRange(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    IpRange range;
    try {
      range = IpRange.parse(text);
    } catch (PairgateException e) {
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e::getMessage);
      FuzzText.assertSafeText(e.getMessage(), 300);
      // a trusted-proxy list refuses the same entry, naming it by position
      PairgateException listed =
          assertThrows(PairgateException.class, () -> TrustedProxies.parse(List.of(text)));
      assertEquals(ErrorCode.INVALID_ARGUMENT, listed.code());
      FuzzText.assertSafeText(listed.getMessage(), 400);
      checkLiteralRefusedToo(text);
      return;
    }
    assertEquals(range, IpRange.parse(range.toString()), "canonical text reads back");
    assertEquals(range, TrustedProxies.parse(List.of(text)).ranges().get(0));
    IpAddress net = range.network();
    int bits = net.bits();
    int prefix = range.prefixLength();
    assertTrue(prefix >= 0 && prefix <= bits);
    assertEquals(range.isSingleAddress(), prefix == bits);
    assertEquals(net, IpAddress.parse(net.toString()), "canonical address reads back");
    assertTrue(range.contains(net));
    byte[] b = net.toBytes();
    for (int i = 0; i < bits; i++) {
      byte[] flipped = b.clone();
      flipped[i / 8] ^= (byte) (0x80 >>> (i % 8));
      IpAddress other = IpAddress.parse(IpAddress.ofBytes(flipped).toString());
      if (i < prefix) {
        assertFalse(range.contains(other), () -> range + " contains " + other);
      } else {
        assertTrue(range.contains(other), () -> range + " misses " + other);
        assertTrue(range.overlaps(new IpRange(other, bits)));
      }
    }
    // host bits are cleared: every address of the range is >= network, the range is aligned
    for (int i = prefix; i < bits; i++) {
      assertEquals(0, (b[i / 8] >>> (7 - i % 8)) & 1, () -> "host bit set in " + range);
    }
    // the other address family is never a member
    IpAddress foreign = net.isIpv4() ? IpAddress.parse("2001:db8::1") : IpAddress.parse("192.0.2.1");
    assertFalse(range.contains(foreign));
    String literal = text.strip();
    if (literal.indexOf('/') < 0) {
      IpAddress a = IpAddress.parse(literal);
      assertEquals(a, net);
      assertEquals(a, IpAddress.parseEndpoint(a.isIpv4() ? a + ":443" : "[" + a + "]:443")
          .orElseThrow());
    }
  }

  private static void checkLiteralRefusedToo(String text) {
    if (text.indexOf('/') >= 0) {
      return;
    }
    try {
      IpAddress a = IpAddress.parse(text.strip());
      throw new AssertionError("IpAddress accepts " + a + " that IpRange refused");
    } catch (PairgateException e) {
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      FuzzText.assertSafeText(e.getMessage(), 300);
    }
  }
}
