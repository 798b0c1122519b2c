package io.pairgate.policy;

import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A {@code Host} header value parsed strictly as RFC 3986 {@code host [ ":" port ]}: an IPv4
 * address (no leading zeros), a bracketed IPv6 address (no zone id, no IPvFuture), or a
 * registered name of unreserved, percent-encoded and sub-delimiter characters; the port is 1–5
 * digits up to 65535. Anything else (user info, paths, spaces, an empty host or port, unbracketed
 * IPv6) does not parse, and a connection whose {@code Host} does not parse is never local.
 *
 * @param host the host, lowercased; an IPv6 address without its brackets
 * @param port the port, or -1 when none was given
 * @param ip the host as an address when it is an IP literal
 */
public record HostPort(String host, int port, @Nullable IpAddress ip) {

  /** Parses a {@code Host} value; surrounding spaces and tabs (HTTP whitespace) are ignored. */
  public static Optional<HostPort> parse(String value) {
    String v = stripOws(value);
    if (v.isEmpty() || v.length() > 300) {
      return Optional.empty();
    }
    String host;
    String rest;
    IpAddress ip;
    if (v.charAt(0) == '[') {
      int close = v.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      host = v.substring(1, close);
      ip = host.indexOf(':') >= 0 ? IpAddress.parseLiteral(host) : null;
      if (ip == null) {
        return Optional.empty();
      }
      rest = v.substring(close + 1);
      host = host.toLowerCase(Locale.ROOT);
    } else {
      int colon = v.indexOf(':');
      host = colon < 0 ? v : v.substring(0, colon);
      rest = colon < 0 ? "" : v.substring(colon);
      if (host.isEmpty() || !isRegName(host)) {
        return Optional.empty();
      }
      host = host.toLowerCase(Locale.ROOT);
      ip = isDottedDecimal(host) ? IpAddress.parseLiteral(host) : null;
      if (isDottedDecimal(host) && ip == null) {
        return Optional.empty(); // looks like IPv4 but is not a valid one (leading zeros, > 255)
      }
    }
    int port = -1;
    if (!rest.isEmpty()) {
      if (rest.charAt(0) != ':' || rest.length() < 2 || rest.length() > 6) {
        return Optional.empty();
      }
      for (int i = 1; i < rest.length(); i++) {
        char c = rest.charAt(i);
        if (c < '0' || c > '9') {
          return Optional.empty();
        }
      }
      port = Integer.parseInt(rest.substring(1));
      if (port > 65535) {
        return Optional.empty();
      }
    }
    return Optional.of(new HostPort(host, port, ip));
  }

  /** Whether the host is {@code localhost} or a loopback address. */
  public boolean isLoopback() {
    return host.equals("localhost") || (ip != null && ip.isLoopback());
  }

  /** Whether the host is {@code localhost} or a private or loopback address. */
  public boolean isPrivateOrLoopback() {
    return host.equals("localhost") || (ip != null && ip.isPrivateOrLoopback());
  }

  /** The port, or {@code defaultPort} when none was given. */
  public int portOr(int defaultPort) {
    return port < 0 ? defaultPort : port;
  }

  /** {@code host[:port]}, IPv6 in brackets. */
  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port < 0 ? h : h + ":" + port;
  }

  private static String stripOws(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
      b++;
    }
    while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
      e--;
    }
    return s.substring(b, e);
  }

  private static boolean isDottedDecimal(String h) {
    boolean digit = false;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.') {
        return false;
      }
    }
    return digit && h.chars().filter(c -> c == '.').count() == 3;
  }

  /** RFC 3986 reg-name: unreserved / pct-encoded / sub-delims. */
  static boolean isRegName(String h) {
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        continue;
      }
      if ("-._~!$&'()*+,;=".indexOf(c) >= 0) {
        continue;
      }
      if (c == '%' && i + 2 < h.length() && hex(h.charAt(i + 1)) && hex(h.charAt(i + 2))) {
        i += 2;
        continue;
      }
      return false;
    }
    return true;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
