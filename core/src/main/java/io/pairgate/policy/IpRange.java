package io.pairgate.policy;

import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairgateException;
import java.util.List;

/**
 * A CIDR range of addresses such as {@code 172.17.0.0/16} or {@code fd00::/8}; a single address is
 * the range of prefix length 32 (IPv4) or 128 (IPv6). Host bits of the network address are
 * cleared, so {@code 172.17.0.1/16} is the range {@code 172.17.0.0/16}. An IPv4-mapped IPv6 range
 * with a prefix of at least 96 ({@code ::ffff:10.0.0.0/104}) is normalized to the IPv4 range it
 * describes. IPv4 addresses only fall in IPv4 ranges and IPv6 addresses only in IPv6 ranges.
 *
 * @param network the first address of the range (host bits cleared)
 * @param prefixLength the number of leading bits every member shares: 0–32 for IPv4, 0–128 for
 *     IPv6
 */
public record IpRange(IpAddress network, int prefixLength) {

  private static final List<IpRange> NON_PUBLIC =
      List.of(
          parse("10.0.0.0/8"), parse("172.16.0.0/12"), parse("192.168.0.0/16"),
          parse("169.254.0.0/16"), parse("127.0.0.0/8"), parse("fc00::/7"), parse("fe80::/10"),
          parse("::1"));

  /**
   * Validates the prefix length and clears host bits.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if the prefix length is out
   *     of range for the address family
   */
  public IpRange {
    if (prefixLength < 0 || prefixLength > network.bits()) {
      throw new InvalidArgumentException("prefix length " + prefixLength + " is out of range 0-" + network.bits() + " for "
              + network);
    }
    network = mask(network, prefixLength);
  }

  /**
   * Parses {@code address} or {@code address/prefix}. Host names, ports, brackets and zone ids are
   * refused with a message that says why (no DNS lookup is ever made).
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for anything else
   */
  public static IpRange parse(String text) {
    String s = text.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    IpAddress a = IpAddress.parseLiteral(addr);
    if (a == null) {
      throw new InvalidArgumentException(why(text, addr));
    }
    if (slash < 0) {
      return new IpRange(a, a.bits());
    }
    String len = s.substring(slash + 1);
    if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidArgumentException("malformed CIDR range " + IpAddress.quote(text) + ": the prefix length after '/' must be"
              + " a number");
    }
    int prefix = Integer.parseInt(len);
    boolean mappedSyntax = a.isIpv4() && addr.indexOf(':') >= 0;
    if (mappedSyntax) {
      if (prefix < 96 || prefix > 128) {
        throw new InvalidArgumentException("IPv4-mapped range " + IpAddress.quote(text) + " needs a prefix length of 96-128");
      }
      prefix -= 96;
    }
    if (prefix > a.bits()) {
      throw new InvalidArgumentException("malformed CIDR range " + IpAddress.quote(text) + ": prefix length " + prefix
              + " is out of range 0-" + a.bits());
    }
    return new IpRange(a, prefix);
  }

  private static String why(String text, String addr) {
    String base = "malformed address or CIDR range " + IpAddress.quote(text) + ": ";
    if (addr.isEmpty()) {
      return base + "it is empty";
    }
    if (addr.startsWith("[") || addr.indexOf('%') >= 0) {
      return base + "write IPv6 addresses without brackets or zone ids, e.g. fd00::1 or fd00::/8";
    }
    if (addr.chars().filter(c -> c == ':').count() == 1 && addr.indexOf('.') > 0) {
      return base + "ports are not allowed";
    }
    boolean hasLetter = addr.chars().anyMatch(Character::isLetter);
    if (hasLetter && addr.indexOf(':') < 0) {
      return base + "host names are not resolved; give an IP address or a CIDR range";
    }
    return base + "not an IPv4 or IPv6 address";
  }

  private static IpAddress mask(IpAddress a, int prefix) {
    byte[] b = a.toBytes();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      b[i] = (byte) (b[i] & (0xff << (8 - keep)));
    }
    return IpAddress.ofBytes(b);
  }

  /** Whether {@code address} lies in this range (same family, same first {@code prefixLength} bits). */
  public boolean contains(IpAddress address) {
    if (address.isIpv4() != network.isIpv4()) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address.byteAt(i) != network.byteAt(i)) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int m = 0xff << (8 - rest) & 0xff;
    return (address.byteAt(full) & m) == (network.byteAt(full) & m);
  }

  /** Whether this range holds exactly one address. */
  public boolean isSingleAddress() {
    return prefixLength == network.bits();
  }

  /**
   * Whether any address of this range is outside loopback, private and link-local space (see
   * {@link IpAddress#isPrivate()}). A trusted proxy range that covers public addresses lets any
   * host in it claim any client address.
   */
  public boolean coversPublicAddresses() {
    for (IpRange r : NON_PUBLIC) {
      if (r.network.isIpv4() == network.isIpv4()
          && r.prefixLength <= prefixLength
          && r.contains(network)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the two ranges share at least one address. */
  public boolean overlaps(IpRange other) {
    return network.isIpv4() == other.network.isIpv4()
        && (contains(other.network) || other.contains(network));
  }

  /** {@code network/prefix}, or just the address for a single-address range. */
  @Override
  public String toString() {
    return isSingleAddress() ? network.toString() : network + "/" + prefixLength;
  }
}
