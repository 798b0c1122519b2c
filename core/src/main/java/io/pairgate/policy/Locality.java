package io.pairgate.policy;

import io.pairgate.AuthMethod;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How close a connection is to the gateway (rule R10.5 of {@code docs/semantics.md}, after
 * OpenClaw's {@code resolvePairingLocality}, hardened). The classes are tried in declaration order
 * and the first that holds wins; anything not positively local is {@link #REMOTE}. Locality never
 * comes from headers alone: {@code Host} and {@code Origin} can only narrow what the socket peer
 * (or a trusted proxy) established, and the client's self-description ({@code client.id},
 * {@code mode}) is never consulted. Same-host connections over a LAN or tailnet address are
 * remote.
 */
public enum Locality {
  /**
   * A direct connection (no proxy header at all) from a loopback socket peer, with a {@code Host}
   * that parses strictly (RFC 3986 host[:port]) as {@code localhost} or a loopback address.
   */
  DIRECT_LOCAL,
  /**
   * A loopback client named by a trusted proxy. Never {@link #DIRECT_LOCAL}: the address comes
   * from a header. Silent approval treats it as local only when every proxy hop is listed in
   * {@code sameHostProxies}.
   */
  PROXIED_LOCAL,
  /**
   * Docker-published localhost for a browser, off unless bridge ranges are configured
   * ({@code browserContainerBridges}): shared token or password auth, no proxy headers, a socket
   * peer in a configured bridge range (and not a trusted proxy), a loopback {@code Host} and a
   * loopback {@code Origin}.
   */
  BROWSER_CONTAINER_LOCAL,
  /**
   * A loopback socket peer (not a trusted proxy) with shared token or password auth, no proxy
   * headers, no {@code Origin}, and a {@code Host} that is {@code localhost} or a private or
   * loopback address (a client inside the gateway's container naming the container's address).
   */
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
   * @param auth how the gateway authenticated the connection
   * @param browserContainerBridges the bridge ranges a Docker-published browser connection may
   *     come from; empty (the default) turns {@link #BROWSER_CONTAINER_LOCAL} off
   */
  public static Classification classify(
      ClientAddress address, Map<String, String> headers, AuthMethod auth,
      List<IpRange> browserContainerBridges) {
    String hostHeader = ClientAddress.header(headers, "host");
    String origin = ClientAddress.header(headers, "origin");
    HostPort host = hostHeader == null ? null : HostPort.parse(hostHeader).orElse(null);
    String why = directLocalFailure(address, host, hostHeader);
    if (why == null) {
      return new Classification(DIRECT_LOCAL, "direct client " + address.address()
          + " is loopback and Host " + host + " is local");
    }
    String proxied = proxiedFailure(address);
    if (proxied == null) {
      return new Classification(PROXIED_LOCAL, "loopback client " + address.address()
          + " named by trusted proxy " + address.peer() + " (forwarded, so never direct_local)");
    }
    String container = containerFailure(address, host, hostHeader, origin, auth,
        browserContainerBridges);
    if (container == null) {
      if (origin != null) {
        return new Classification(BROWSER_CONTAINER_LOCAL, "browser with shared-secret auth from"
            + " bridge peer " + address.peer() + ", loopback Host and Origin, no proxy headers");
      }
      return new Classification(SHARED_SECRET_LOOPBACK_LOCAL, "shared-secret auth from loopback"
          + " peer " + address.peer() + ", Host " + host + ", no Origin, no proxy headers");
    }
    StringBuilder b = new StringBuilder(why);
    if (!proxied.isEmpty()) {
      b.append("; ").append(proxied);
    }
    if (!container.isEmpty()) {
      b.append("; ").append(container);
    }
    return new Classification(REMOTE, b.toString());
  }

  private static @Nullable String directLocalFailure(
      ClientAddress a, @Nullable HostPort host, @Nullable String hostHeader) {
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
      case X_FORWARDED_FOR:
      case FORWARDED:
      case X_REAL_IP:
        return "not direct-local: client " + a.address() + " was named by a proxy header";
      default:
        break;
    }
    IpAddress ip = a.ip().orElse(null);
    if (ip == null || !ip.isLoopback()) {
      return "not direct-local: client " + a.address() + " is not a loopback address";
    }
    if (hostHeader == null) {
      return "not direct-local: no Host header";
    }
    if (host == null) {
      return "not direct-local: Host " + ClientAddress.quote(hostHeader)
          + " is not an RFC 3986 host[:port]";
    }
    if (!host.isLoopback()) {
      return "not direct-local: Host " + ClientAddress.quote(hostHeader)
          + " is not localhost or a loopback address";
    }
    return null;
  }

  /** Null when the client is a loopback address named by a trusted proxy; else why not ("" n/a). */
  private static @Nullable String proxiedFailure(ClientAddress a) {
    boolean forwarded = a.source() == ClientAddress.Source.X_FORWARDED_FOR
        || a.source() == ClientAddress.Source.FORWARDED
        || a.source() == ClientAddress.Source.X_REAL_IP;
    if (!forwarded || !a.problem().isEmpty()) {
      return "";
    }
    IpAddress ip = a.ip().orElse(null);
    if (ip == null || !ip.isLoopback()) {
      return "not proxied-local: forwarded client " + a.address() + " is not loopback";
    }
    return null;
  }

  /**
   * Why none of the container/shared-secret classes holds: null if one does, empty if they were
   * not relevant (no shared-secret auth or a peer that is neither loopback nor a bridge).
   */
  private static @Nullable String containerFailure(
      ClientAddress a, @Nullable HostPort host, @Nullable String hostHeader,
      @Nullable String origin, AuthMethod auth, List<IpRange> bridges) {
    IpAddress peer = a.peerIp().orElse(null);
    if (peer == null || !a.problem().isEmpty()) {
      return "";
    }
    boolean inBridge = false;
    for (IpRange r : bridges) {
      inBridge |= r.contains(peer);
    }
    if (!peer.isLoopback() && !inBridge) {
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
      return hostHeader == null ? "not container-local: no Host header"
          : "not container-local: Host " + ClientAddress.quote(hostHeader)
              + " is not an RFC 3986 host[:port]";
    }
    if (origin != null) {
      if (!inBridge) {
        return bridges.isEmpty()
            ? "not browser-container-local: no browserContainerBridges are configured"
            : "not browser-container-local: peer " + a.peer()
                + " is not in a configured bridge range";
      }
      BrowserOrigin o = BrowserOrigin.parse(origin).orElse(null);
      if (!host.isLoopback() || o == null || !o.isLoopback()) {
        return "not browser-container-local: Host " + ClientAddress.quote(hostHeader == null
            ? "" : hostHeader) + " and Origin " + ClientAddress.quote(origin)
            + " must both be loopback";
      }
      return null;
    }
    if (!peer.isLoopback()) {
      return "not container-local: peer " + a.peer() + " is not loopback";
    }
    if (!host.isPrivateOrLoopback()) {
      return "not container-local: Host " + ClientAddress.quote(hostHeader == null ? ""
          : hostHeader) + " is not a private or loopback address";
    }
    return null;
  }
}
