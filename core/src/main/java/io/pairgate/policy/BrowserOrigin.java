package io.pairgate.policy;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A browser {@code Origin} (RFC 6454 serialization {@code scheme "://" host [ ":" port ]}),
 * normalized: scheme and host lowercased, the default port of {@code http} (80) and {@code https}
 * (443) made explicit in {@link #port()}. Two origins are the same exactly when their records are
 * equal. The opaque origin {@code null} does not parse.
 *
 * @param scheme the scheme, lowercased
 * @param host the host as {@link HostPort} parses it
 * @param port the port, the scheme's default when none was written, or -1 for another scheme
 *     without a port
 */
public record BrowserOrigin(String scheme, String host, int port) {

  /** Parses an {@code Origin} header value or an {@code allowedOrigins} entry strictly. */
  public static Optional<BrowserOrigin> parse(String value) {
    String v = value.strip();
    int sep = v.indexOf("://");
    if (sep <= 0 || v.length() > 300) {
      return Optional.empty();
    }
    String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!isScheme(scheme)) {
      return Optional.empty();
    }
    String authority = v.substring(sep + 3);
    if (authority.indexOf('/') >= 0 || authority.indexOf('@') >= 0
        || authority.indexOf('?') >= 0 || authority.indexOf('#') >= 0) {
      return Optional.empty();
    }
    Optional<HostPort> hp = HostPort.parse(authority);
    if (hp.isEmpty() || !authority.equals(authority.strip())) {
      return Optional.empty();
    }
    HostPort h = hp.get();
    return Optional.of(new BrowserOrigin(scheme, h.host(), h.portOr(defaultPort(scheme))));
  }

  /**
   * Parses a configured origin such as {@code https://control.example.com} or
   * {@code http://localhost:5173}.
   *
   * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for anything else, including
   *     {@code null} (every sandboxed page sends it) and paths
   */
  public static BrowserOrigin parseAllowed(String value) {
    return parse(value).orElseThrow(() -> new PairgateException(ErrorCode.INVALID_ARGUMENT,
        "malformed allowed origin " + ClientAddress.quote(value) + ": write scheme://host[:port]"
            + " without a path, e.g. https://control.example.com ('null' is never allowed)"));
  }

  /** The default port of {@code http} and {@code ws} (80), {@code https} and {@code wss} (443). */
  static int defaultPort(String scheme) {
    return switch (scheme) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -1;
    };
  }

  private static boolean isScheme(String s) {
    if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a configured gateway host name (R16.5), such as {@code gateway.example.com}: a host
   * without scheme, port or path, lowercased.
   *
   * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for anything else
   */
  public static String parseGatewayHost(String value) {
    HostPort h = HostPort.parse(value).orElse(null);
    if (h == null || h.port() >= 0 || !value.equals(value.strip())) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "malformed gateway host "
          + ClientAddress.quote(value) + ": write a host name without scheme, port or path,"
          + " e.g. gateway.example.com");
    }
    return h.host();
  }

  /**
   * Whether a {@code Host} header may name the gateway's own origin (R16.5): an IP address
   * literal, {@code localhost}, or one of the configured {@code gatewayHosts}. Any other name
   * may be an attacker's, re-pointed at the gateway's address (DNS rebinding), so the browser
   * sends it in both {@code Host} and {@code Origin}.
   *
   * @param gatewayHosts the configured gateway host names, lowercased
   */
  public static boolean isGatewayHost(HostPort gatewayHost, Set<String> gatewayHosts) {
    return gatewayHost.ip() != null || gatewayHost.host().equals("localhost")
        || gatewayHosts.contains(gatewayHost.host());
  }

  /**
   * As {@link #isOwnOrigin(HostPort, String, Set)} with no configured gateway host names: a
   * {@code Host} that is a name other than {@code localhost} is never the gateway's own.
   */
  public boolean isOwnOrigin(HostPort gatewayHost, String connectionScheme) {
    return isOwnOrigin(gatewayHost, connectionScheme, Set.of());
  }

  /**
   * Whether this is the origin of the gateway reached with {@code host} (its {@code Host} header)
   * over {@code scheme} ({@code ws}, {@code wss}, {@code http}, {@code https}, or empty when the
   * gateway did not say): the {@code Host} names the gateway ({@link #isGatewayHost}, R16.5),
   * same host, the port of {@code Host} (or the scheme's default when {@code Host} has none), and
   * an {@code http}/{@code https} scheme matching the connection's security when that is known.
   *
   * @param gatewayHosts the configured gateway host names, lowercased
   */
  public boolean isOwnOrigin(
      HostPort gatewayHost, String connectionScheme, Set<String> gatewayHosts) {
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return false;
    }
    if (!connectionScheme.isEmpty()) {
      boolean secure = connectionScheme.equals("wss") || connectionScheme.equals("https");
      if (secure != scheme.equals("https")) {
        return false;
      }
    }
    if (!isGatewayHost(gatewayHost, gatewayHosts)) {
      return false;
    }
    return host.equals(gatewayHost.host()) && port == gatewayHost.portOr(defaultPort(scheme));
  }

  /**
   * As {@link #refusal(Map, String, List, Set)} with no configured gateway host names.
   *
   * @param headers the request headers (names matched case-insensitively)
   * @param connectionScheme {@code ws}, {@code wss}, {@code http}, {@code https}, or empty
   * @param allowed the configured {@code allowedOrigins}
   */
  public static Optional<String> refusal(
      Map<String, String> headers, String connectionScheme, List<BrowserOrigin> allowed) {
    return refusal(headers, connectionScheme, allowed, Set.of());
  }

  /**
   * Why a connection's {@code Origin} is refused (rules R16.4 and R16.5), or empty when it has
   * none, or it is the gateway's own origin (see {@link #isOwnOrigin(HostPort, String, Set)}),
   * or it is one of {@code allowed}. The one origin rule of core and the reference gateway.
   *
   * @param headers the request headers (names matched case-insensitively)
   * @param connectionScheme {@code ws}, {@code wss}, {@code http}, {@code https}, or empty
   * @param allowed the configured {@code allowedOrigins}
   * @param gatewayHosts the configured {@code gatewayHosts}, lowercased
   */
  public static Optional<String> refusal(Map<String, String> headers, String connectionScheme,
      List<BrowserOrigin> allowed, Set<String> gatewayHosts) {
    String originHeader = ClientAddress.header(headers, "origin");
    if (originHeader == null) {
      return Optional.empty();
    }
    BrowserOrigin o = parse(originHeader).orElse(null);
    if (o == null) {
      return Optional.of("origin not allowed: Origin " + ClientAddress.quote(originHeader)
          + " is not a scheme://host[:port] origin");
    }
    if (allowed.contains(o)) {
      return Optional.empty();
    }
    String host = ClientAddress.header(headers, "host");
    HostPort own = host == null ? null : HostPort.parse(host).orElse(null);
    if (own != null && o.isOwnOrigin(own, connectionScheme, gatewayHosts)) {
      return Optional.empty();
    }
    boolean name = own != null && !isGatewayHost(own, gatewayHosts);
    return Optional.of("origin not allowed: " + ClientAddress.quote(o.toString())
        + " is neither the gateway's own origin (Host "
        + (host == null ? "missing" : ClientAddress.quote(host))
        + (name ? ", a host name that is not one of gatewayHosts" : "")
        + ") nor in allowedOrigins");
  }

  /** Whether the host is {@code localhost} or a loopback address. */
  public boolean isLoopback() {
    return HostPort.parse(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        .map(HostPort::isLoopback).orElse(false);
  }

  /** The serialization, with a default port left out. */
  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port < 0 || port == defaultPort(scheme) ? scheme + "://" + h
        : scheme + "://" + h + ":" + port;
  }
}
