package io.pairgate.gateway.internal;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.policy.IpAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The browser {@code Origin} rule of the gateway: a connect that carries an {@code Origin} is
 * refused unless it is the gateway's own origin or one of the configured allowed origins.
 *
 * <p>The gateway's own origin is {@code http://<Host>} where the {@code Host} header names an IP
 * address literal or {@code localhost}, with the same port. A host <em>name</em> is never taken as
 * the gateway's own from the {@code Host} header alone, because a DNS-rebinding page (its origin
 * {@code http://evil.example:18789}, its name re-pointed at the gateway's address) sends a matching
 * {@code Host}; such names must be listed in {@code allowedOrigins}.
 */
public final class Origins {
  private Origins() {}

  /** A parsed origin: lowercase scheme and host (IPv6 without brackets), explicit port. */
  public record Origin(String scheme, String host, int port) {
    @Override
    public String toString() {
      String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
      return scheme + "://" + h + (port < 0 ? "" : ":" + port);
    }
  }

  /**
   * Parses {@code scheme://host[:port]} (the default port of {@code http}/{@code https} made
   * explicit; -1 for another scheme without a port), or empty.
   */
  public static Optional<Origin> parse(String value) {
    String v = value.strip();
    if (v.length() > 300 || !v.equals(value)) {
      return Optional.empty();
    }
    int sep = v.indexOf("://");
    if (sep <= 0) {
      return Optional.empty();
    }
    String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.matches("[a-z][a-z0-9+.-]{0,31}")) {
      return Optional.empty();
    }
    int defaultPort = scheme.equals("http") ? 80 : scheme.equals("https") ? 443 : -1;
    HostPort hp = hostPort(v.substring(sep + 3), defaultPort);
    return hp == null ? Optional.empty() : Optional.of(new Origin(scheme, hp.host, hp.port));
  }

  /**
   * Parses a configured allowed origin.
   *
   * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} for anything but
   *     {@code scheme://host[:port]}
   */
  public static Origin parseAllowed(String value) {
    return parse(value).orElseThrow(() -> new PairgateException(ErrorCode.INVALID_ARGUMENT,
        "malformed allowed origin '" + Session.cut(value, 100) + "': write scheme://host[:port]"
            + " without a path, e.g. https://gateway.example.com"));
  }

  private record HostPort(String host, int port) {}

  private static @Nullable HostPort hostPort(String authority, int defaultPort) {
    if (authority.isEmpty()) {
      return null;
    }
    for (int i = 0; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '/' || c == '@' || c == '?' || c == '#' || c == '\\') {
        return null;
      }
    }
    String host;
    String rest;
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      if (end < 0) {
        return null;
      }
      host = authority.substring(1, end);
      if (IpAddress.tryParse(host).isEmpty() || host.indexOf(':') < 0) {
        return null;
      }
      rest = authority.substring(end + 1);
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      rest = colon < 0 ? "" : authority.substring(colon);
      if (host.isEmpty() || !host.matches("[A-Za-z0-9.-]+")) {
        return null;
      }
    }
    int port = defaultPort;
    if (!rest.isEmpty()) {
      if (!rest.startsWith(":") || rest.length() < 2 || rest.length() > 6
          || !rest.substring(1).chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
        return null;
      }
      port = Integer.parseInt(rest.substring(1));
      if (port < 1 || port > 65535) {
        return null;
      }
    }
    return new HostPort(host.toLowerCase(Locale.ROOT), port);
  }

  /**
   * Why a connection's {@code Origin} is refused, or empty when it has none, it is one of
   * {@code allowed}, or it is the gateway's own origin (see the class comment).
   *
   * @param headers the upgrade's headers, names in lowercase ({@code origin}, {@code host})
   */
  public static Optional<String> refusal(Map<String, String> headers, List<Origin> allowed) {
    String header = headers.get("origin");
    if (header == null) {
      return Optional.empty();
    }
    Origin o = parse(header).orElse(null);
    if (o == null) {
      return Optional.of("origin not allowed: '" + Session.cut(header, 80)
          + "' is not a scheme://host[:port] origin");
    }
    if (allowed.contains(o)) {
      return Optional.empty();
    }
    String hostHeader = headers.get("host");
    HostPort own = hostHeader == null || hostHeader.indexOf(',') >= 0 ? null
        : hostPort(hostHeader.strip(), 80);
    boolean literal = own != null
        && (own.host.equals("localhost") || IpAddress.tryParse(own.host).isPresent());
    if (own != null && literal && o.scheme().equals("http") && o.host().equals(own.host)
        && o.port() == own.port) {
      return Optional.empty();
    }
    return Optional.of("origin not allowed: " + o + " is neither the gateway's own origin"
        + (own != null && !literal ? " (a host name must be listed in allowedOrigins)" : "")
        + " nor an allowed origin");
  }
}
