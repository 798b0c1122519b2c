package io.pairgate.policy;

import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairgateException;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 or IPv6 address, parsed from its literal text only: no host name is ever resolved and no
 * DNS lookup is ever made. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is normalized to
 * the IPv4 address it carries, so {@code ::ffff:127.0.0.1} and {@code 127.0.0.1} are equal.
 * {@link #toString()} is the canonical text: dotted decimal for IPv4, RFC 5952 (lowercase, shortest,
 * {@code ::} for the longest run of zero groups) for IPv6.
 */
public final class IpAddress {
  private final byte[] bytes; // 4 or 16, never an IPv4-mapped IPv6 address

  private IpAddress(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Parses an address literal such as {@code 10.0.0.1}, {@code 2001:db8::1} or
   * {@code ::ffff:10.0.0.1}. Brackets, ports, zone ids and host names are not accepted. IPv4 parts
   * must be decimal without leading zeros ({@code 010.0.0.1} is refused, as some systems read it as
   * octal).
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if {@code text} is not an
   *     address literal
   */
  public static IpAddress parse(String text) {
    IpAddress a = parseLiteral(text);
    if (a == null) {
      throw new InvalidArgumentException("not an IP address literal: " + quote(text));
    }
    return a;
  }

  /** Like {@link #parse} but empty instead of an exception for anything that is not a literal. */
  public static Optional<IpAddress> tryParse(String text) {
    return Optional.ofNullable(parseLiteral(text));
  }

  /**
   * Parses an address as it appears in a socket peer string or a forwarding header: surrounding
   * whitespace, brackets around IPv6 ({@code [::1]}), a port ({@code 192.0.2.1:5000},
   * {@code [::1]:443}) and an IPv6 zone id ({@code fe80::1%eth0}) are allowed and dropped.
   *
   * @return the address, or empty if the text is not such an endpoint
   */
  public static Optional<IpAddress> parseEndpoint(String text) {
    return Optional.ofNullable(endpoint(text));
  }

  static @Nullable IpAddress endpoint(String text) {
    String s = text.strip();
    if (s.isEmpty()) {
      return null;
    }
    if (s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 0) {
        return null;
      }
      String rest = s.substring(close + 1);
      if (!rest.isEmpty() && !isPort(rest)) {
        return null;
      }
      return parseV6(s.substring(1, close), true);
    }
    int colon = s.indexOf(':');
    if (colon < 0) {
      return parseV4(s);
    }
    if (s.indexOf(':', colon + 1) < 0) {
      // exactly one colon: IPv4 with a port
      return isPort(s.substring(colon)) ? parseV4(s.substring(0, colon)) : null;
    }
    return parseV6(s, true);
  }

  private static boolean isPort(String colonAndDigits) {
    int n = colonAndDigits.length();
    if (n < 2 || n > 6 || colonAndDigits.charAt(0) != ':') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = colonAndDigits.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Integer.parseInt(colonAndDigits.substring(1)) <= 65535;
  }

  static @Nullable IpAddress parseLiteral(String text) {
    if (text.isEmpty() || text.length() > 45) {
      return null;
    }
    return text.indexOf(':') >= 0 ? parseV6(text, false) : parseV4(text);
  }

  private static @Nullable IpAddress parseV4(String s) {
    byte[] b = v4Bytes(s);
    return b == null ? null : new IpAddress(b);
  }

  private static byte @Nullable [] v4Bytes(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        char c = p.charAt(k);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      b[i] = (byte) v;
    }
    return b;
  }

  private static @Nullable IpAddress parseV6(String text, boolean allowZone) {
    String s = text;
    int pct = s.indexOf('%');
    if (pct >= 0) {
      if (!allowZone || pct == s.length() - 1) {
        return null;
      }
      for (int i = pct + 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (!(Character.isLetterOrDigit(c) && c < 128) && c != '.' && c != '_' && c != '-') {
          return null;
        }
      }
      s = s.substring(0, pct);
    }
    if (s.isEmpty()) {
      return null;
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    int[] head;
    int[] tail;
    if (gap < 0) {
      head = groups(s, true);
      tail = new int[0];
      if (head == null || head.length != 8) {
        return null;
      }
    } else {
      head = groups(s.substring(0, gap), false);
      tail = groups(s.substring(gap + 2), true);
      if (head == null || tail == null || head.length + tail.length > 7) {
        return null;
      }
    }
    byte[] b = new byte[16];
    for (int i = 0; i < head.length; i++) {
      b[2 * i] = (byte) (head[i] >>> 8);
      b[2 * i + 1] = (byte) head[i];
    }
    int offset = 8 - tail.length;
    for (int i = 0; i < tail.length; i++) {
      b[2 * (offset + i)] = (byte) (tail[i] >>> 8);
      b[2 * (offset + i) + 1] = (byte) tail[i];
    }
    return of16(b);
  }

  /** Parses colon-separated hex groups; the last one may be a dotted IPv4 (two groups). */
  private static int @Nullable [] groups(String s, boolean allowV4Tail) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && allowV4Tail && p.indexOf('.') >= 0) {
        byte[] v4 = v4Bytes(p);
        if (v4 == null) {
          return null;
        }
        out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = Character.digit(p.charAt(k), 16);
        if (d < 0 || p.charAt(k) > 127) {
          return null;
        }
        v = (v << 4) | d;
      }
      out[n++] = v;
    }
    return Arrays.copyOf(out, n);
  }

  /** Builds an address from 16 bytes, normalizing IPv4-mapped addresses to IPv4. */
  static IpAddress of16(byte[] b) {
    boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    for (int i = 0; mapped && i < 10; i++) {
      mapped = b[i] == 0;
    }
    return mapped ? new IpAddress(Arrays.copyOfRange(b, 12, 16)) : new IpAddress(b);
  }

  static IpAddress ofBytes(byte[] b) {
    return b.length == 16 ? of16(b.clone()) : new IpAddress(b.clone());
  }

  /** Whether this is an IPv4 address (IPv4-mapped IPv6 addresses count as IPv4). */
  public boolean isIpv4() {
    return bytes.length == 4;
  }

  /** The number of bits: 32 for IPv4, 128 for IPv6. */
  public int bits() {
    return bytes.length * 8;
  }

  /** A copy of the address bytes: 4 for IPv4, 16 for IPv6. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  byte byteAt(int i) {
    return bytes[i];
  }

  /** Whether this is a loopback address: {@code 127.0.0.0/8} or {@code ::1}. */
  public boolean isLoopback() {
    if (isIpv4()) {
      return (bytes[0] & 0xff) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[15] == 1;
  }

  /**
   * Whether this is a private or link-local address: {@code 10.0.0.0/8}, {@code 172.16.0.0/12},
   * {@code 192.168.0.0/16}, {@code 169.254.0.0/16}, {@code fc00::/7} or {@code fe80::/10}.
   * Carrier-grade NAT space ({@code 100.64.0.0/10}, also used by tailnets) is not private here.
   */
  public boolean isPrivate() {
    int b0 = bytes[0] & 0xff;
    int b1 = bytes[1] & 0xff;
    if (isIpv4()) {
      return b0 == 10
          || (b0 == 172 && b1 >= 16 && b1 <= 31)
          || (b0 == 192 && b1 == 168)
          || (b0 == 169 && b1 == 254);
    }
    return (b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0x80);
  }

  /** {@link #isPrivate()} or {@link #isLoopback()}. */
  public boolean isPrivateOrLoopback() {
    return isPrivate() || isLoopback();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof IpAddress other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The canonical text: dotted decimal, or RFC 5952 IPv6. */
  @Override
  public String toString() {
    if (isIpv4()) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "."
          + (bytes[3] & 0xff);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  /** Input quoted for an error message: control characters replaced, at most 80 characters. */
  static String quote(String s) {
    return '"' + ClientAddress.sanitize(s) + '"';
  }
}
