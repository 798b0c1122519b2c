package io.pairgate.policy;

import io.pairgate.AuthMethod;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How close a connection is to the gateway (rule R10.5 of {@code docs/semantics.md}, after
 * OpenClaw's {@code resolvePairingLocality}). The classes are tried in declaration order and the
 * first that holds wins; anything not positively local is {@link #REMOTE}. Same-host connections
 * over a LAN or tailnet address are remote.
 */
public enum Locality {
  /**
   * The client address (resolved per R10.3) is loopback, the {@code Host} header names
   * {@code localhost} or a loopback address, and either no proxy header was sent or the peer is a
   * trusted proxy that named a loopback client.
   */
  DIRECT_LOCAL,
  /**
   * Docker-published localhost for the browser UI: a {@link ClientKind#isBrowserUi() browser UI}
   * client, shared token or password auth, no proxy headers, an {@code Origin} whose host is
   * loopback, a loopback {@code Host}, and a socket peer that is private or loopback (and not a
   * trusted proxy).
   */
  BROWSER_CONTAINER_LOCAL,
  /**
   * The CLI ({@link ClientKind#CLI}) inside the gateway's container: shared token or password auth,
   * no proxy headers, no {@code Origin}, a loopback socket peer that is not a trusted proxy, and a
   * {@code Host} that is {@code localhost} or a private or loopback address.
   */
  CLI_CONTAINER_LOCAL,
  /** As {@link #CLI_CONTAINER_LOCAL}, for any client that is not the CLI. */
  SHARED_SECRET_LOOPBACK_LOCAL,
  /** Everything else, including every connection whose peer address is unknown. */
  REMOTE;

  /**
   * A classification and why it was made.
   *
   * @param locality the class
   * @param reason a human-readable explanation naming the deciding fact
   */
  public record Classification(Locality locality, String reason) {}

  /** Whether this is one of the local classes. */
  public boolean isLocal() {
    return this != REMOTE;
  }

  /** Snake-case name as OpenClaw writes it, e.g. {@code direct_local}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Classifies a connection.
   *
   * @param address the resolved client address ({@link ClientAddress#resolve})
   * @param headers the request headers (names matched case-insensitively); {@code host} and
   *     {@code origin} are read
   * @param kind what sort of client it is
   * @param auth how the gateway authenticated the connection
   */
  public static Classification classify(
      ClientAddress address, Map<String, String> headers, ClientKind kind, AuthMethod auth) {
    String hostHeader = ClientAddress.header(headers, "host");
    String origin = ClientAddress.header(headers, "origin");
    String host = hostHeader == null ? null : hostOf(hostHeader);
    String why = directLocalFailure(address, host, hostHeader);
    if (why == null) {
      return new Classification(DIRECT_LOCAL, "client " + address.address()
          + " is loopback and Host " + ClientAddress.quote(String.valueOf(hostHeader))
          + " is local");
    }
    String container = containerFailure(address, host, hostHeader, origin, kind, auth);
    if (container == null) {
      if (origin != null) {
        return new Classification(BROWSER_CONTAINER_LOCAL, kind.wireName()
            + " with shared-secret auth from private/loopback peer " + address.peer()
            + ", loopback Host and Origin, no proxy headers");
      }
      Locality l = kind == ClientKind.CLI ? CLI_CONTAINER_LOCAL : SHARED_SECRET_LOOPBACK_LOCAL;
      return new Classification(l, kind.wireName() + " with shared-secret auth from loopback peer "
          + address.peer() + ", Host " + ClientAddress.quote(String.valueOf(hostHeader))
          + ", no Origin, no proxy headers");
    }
    return new Classification(REMOTE, why + (container.isEmpty() ? "" : "; " + container));
  }

  private static @Nullable String directLocalFailure(
      ClientAddress a, @Nullable String host, @Nullable String hostHeader) {
    if (!a.problem().isEmpty()) {
      return "not local: " + a.problem();
    }
    switch (a.source()) {
      case NONE:
        return "not local: the socket peer address is unknown";
      case PEER_HEADERS_IGNORED:
        return "not local: proxy headers came from " + a.peer() + ", which is not a trusted proxy";
      case UNRESOLVED:
        return "not local: the client behind trusted proxy " + a.peer() + " could not be resolved";
      default:
        break;
    }
    IpAddress ip = a.ip().orElse(null);
    if (ip == null || !ip.isLoopback()) {
      return "not direct-local: client " + a.address() + " is not a loopback address";
    }
    if (host == null) {
      return "not direct-local: no Host header";
    }
    if (!isLoopbackHost(host)) {
      return "not direct-local: Host " + ClientAddress.quote(hostHeader == null ? "" : hostHeader)
          + " is not localhost or a loopback address";
    }
    return null;
  }

  /**
   * Why none of the container/shared-secret classes holds: null if one does, empty if they were
   * not relevant (no shared-secret auth or a non-local peer).
   */
  private static @Nullable String containerFailure(
      ClientAddress a, @Nullable String host, @Nullable String hostHeader,
      @Nullable String origin, ClientKind kind, AuthMethod auth) {
    IpAddress peer = a.peerIp().orElse(null);
    if (peer == null || !peer.isPrivateOrLoopback() || !a.problem().isEmpty()) {
      return "";
    }
    if (auth != AuthMethod.SHARED_TOKEN && auth != AuthMethod.PASSWORD) {
      return "not container-local: auth is " + auth.wireName()
          + ", not the gateway's shared token or password";
    }
    if (a.proxyHeaders()) {
      return "not container-local: proxy headers present";
    }
    if (a.peerTrusted()) {
      return "not container-local: peer " + a.peer() + " is a trusted proxy";
    }
    if (host == null) {
      return "not container-local: no Host header";
    }
    if (origin != null) {
      if (!kind.isBrowserUi()) {
        return "not container-local: browser Origin on a " + kind.wireName() + " client";
      }
      String originHost = originHost(origin);
      if (!isLoopbackHost(host) || originHost == null || !isLoopbackHost(originHost)) {
        return "not browser-container-local: Host " + ClientAddress.quote(String.valueOf(hostHeader))
            + " and Origin " + ClientAddress.quote(origin) + " must both be loopback";
      }
      return null;
    }
    if (!peer.isLoopback()) {
      return "not container-local: peer " + a.peer() + " is not loopback";
    }
    if (!isPrivateOrLoopbackHost(host)) {
      return "not container-local: Host " + ClientAddress.quote(String.valueOf(hostHeader))
          + " is not a private or loopback address";
    }
    return null;
  }

  /**
   * The host part of a Host header value, lowercased, without port or brackets; empty (naming no
   * host, so never loopback) unless the value is an RFC 3986 {@code host [":" port]}: an IPv6
   * literal must be bracketed and only a port may follow the host.
   */
  static String hostOf(String hostHeader) {
    String h = hostHeader.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 || !isPortSuffix(h.substring(close + 1)) ? "" : h.substring(1, close);
    }
    int colon = h.indexOf(':');
    if (colon >= 0) {
      return isPortSuffix(h.substring(colon)) ? h.substring(0, colon) : "";
    }
    return h;
  }

  /** Empty, or {@code ":"} and at most five digits naming a port of at most 65535. */
  private static boolean isPortSuffix(String s) {
    if (s.isEmpty()) {
      return true;
    }
    if (s.charAt(0) != ':' || s.length() > 6) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return s.length() == 1 || Integer.parseInt(s.substring(1)) <= 65535;
  }

  static @Nullable String originHost(String origin) {
    String o = origin.strip();
    int scheme = o.indexOf("://");
    if (scheme <= 0) {
      return null;
    }
    String rest = o.substring(scheme + 3);
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      rest = rest.substring(0, slash);
    }
    if (rest.isEmpty() || rest.indexOf('@') >= 0) {
      return null;
    }
    return hostOf(rest);
  }

  static boolean isLoopbackHost(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    IpAddress a = IpAddress.parseLiteral(host);
    return a != null && a.isLoopback();
  }

  static boolean isPrivateOrLoopbackHost(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    IpAddress a = IpAddress.parseLiteral(host);
    return a != null && a.isPrivateOrLoopback();
  }
}
