package io.pairgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a connection comes from, as far as Pairgate can tell (rule R10 of
 * {@code docs/semantics.md}). Obtain one with {@link #resolve}.
 *
 * <p>Without trusted proxies the client is the socket peer. When the peer is a
 * {@link TrustedProxies trusted proxy}, the client is found by walking {@code X-Forwarded-For}
 * (else the {@code for=} parameters of {@code Forwarded}) from right to left and taking the first
 * hop that is not itself a trusted proxy. Proxy headers sent by a peer that is not trusted are
 * ignored (and the connection is then never local). {@code X-Real-IP} is used only when
 * {@code allowRealIpFallback} is on and the trusted peer sent neither of the other two headers.
 *
 * @param address the client address used for recording ({@code PendingRequest.remoteAddress()})
 *     and for per-address limits, in canonical form; when the client cannot be resolved behind a
 *     trusted proxy this is the proxy's own address; empty when the peer address is unknown or
 *     malformed
 * @param source how {@code address} was obtained
 * @param peer the socket peer in canonical form (or, sanitized, the text given when it is not an
 *     address); empty when unknown
 * @param trustedBy the trusted-proxy entry that matched the peer, or empty
 * @param proxyHeaders whether any of {@code X-Forwarded-For}, {@code Forwarded}, {@code X-Real-IP},
 *     {@code X-Forwarded-Host} or {@code X-Forwarded-Proto} was present
 * @param proxyHops the trusted proxy hops skipped while walking the forwarding header, right to
 *     left (the peer itself not included)
 * @param problem why the headers or the peer could not be used (a malformed entry, …); empty when
 *     there is none. A connection with a problem is always remote and never matches an address
 *     range of a standing approval.
 * @param notes further facts worth showing in an explanation (ignored headers, …)
 */
public record ClientAddress(
    String address,
    Source source,
    String peer,
    String trustedBy,
    boolean proxyHeaders,
    List<String> proxyHops,
    String problem,
    List<String> notes) {

  /** How {@link #address()} was obtained. */
  public enum Source {
    /** No usable socket peer address was given. */
    NONE,
    /** A direct connection: the socket peer is the client. */
    PEER,
    /**
     * The socket peer sent proxy headers but is not a trusted proxy: the headers were ignored and
     * the peer is the address; the connection is never local.
     */
    PEER_HEADERS_IGNORED,
    /** Resolved from {@code X-Forwarded-For} behind a trusted proxy. */
    X_FORWARDED_FOR,
    /** Resolved from the {@code for=} parameters of {@code Forwarded} behind a trusted proxy. */
    FORWARDED,
    /** Taken from {@code X-Real-IP} behind a trusted proxy ({@code allowRealIpFallback}). */
    X_REAL_IP,
    /**
     * The peer is a trusted proxy but the client could not be determined (no forwarding header,
     * every hop trusted, an {@code unknown} hop, or a malformed entry): {@link #address()} is the
     * proxy's own address and the connection is remote.
     */
    UNRESOLVED
  }

  /** Copies the lists. */
  public ClientAddress {
    proxyHops = List.copyOf(proxyHops);
    notes = List.copyOf(notes);
  }

  /**
   * Resolves the client address of a connection.
   *
   * @param peerAddress the socket peer's address as the server saw it ({@code 192.0.2.1},
   *     {@code ::1}, {@code [::1]:5000}, …), or empty when unknown
   * @param headers the request headers; names are matched case-insensitively. Join repeated
   *     headers with {@code ", "} before passing them.
   * @param proxies the trusted proxies
   * @param allowRealIpFallback whether {@code X-Real-IP} may name the client when a trusted proxy
   *     sent no {@code X-Forwarded-For} or {@code Forwarded}
   */
  public static ClientAddress resolve(
      String peerAddress, Map<String, String> headers, TrustedProxies proxies,
      boolean allowRealIpFallback) {
    String xff = header(headers, "x-forwarded-for");
    String fwd = header(headers, "forwarded");
    String realIp = header(headers, "x-real-ip");
    String xfh = header(headers, "x-forwarded-host");
    String xfp = header(headers, "x-forwarded-proto");
    boolean proxyHeaders =
        xff != null || fwd != null || realIp != null || xfh != null || xfp != null;
    List<String> notes = new ArrayList<>();
    if (peerAddress.isBlank()) {
      notes.add("the socket peer address is unknown");
      return new ClientAddress("", Source.NONE, "", "", proxyHeaders, List.of(), "", notes);
    }
    IpAddress peer = IpAddress.endpoint(peerAddress);
    if (peer == null) {
      return new ClientAddress("", Source.NONE, sanitize(peerAddress), "", proxyHeaders,
          List.of(), "socket peer address " + quote(peerAddress) + " is not an IP address", notes);
    }
    String p = peer.toString();
    Optional<IpRange> by = proxies.match(peer);
    if (by.isEmpty()) {
      if (proxyHeaders) {
        notes.add("proxy headers " + present(xff, fwd, realIp, xfh, xfp) + " ignored: peer " + p
            + " is not a trusted proxy");
        return new ClientAddress(
            p, Source.PEER_HEADERS_IGNORED, p, "", true, List.of(), "", notes);
      }
      return new ClientAddress(p, Source.PEER, p, "", false, List.of(), "", notes);
    }
    String trustedBy = by.get().toString();
    List<String> chain;
    String headerName;
    Source source;
    if (xff != null) {
      chain = splitList(xff);
      headerName = "X-Forwarded-For";
      source = Source.X_FORWARDED_FOR;
      if (fwd != null) {
        notes.add("Forwarded ignored: X-Forwarded-For takes precedence");
      }
    } else if (fwd != null) {
      chain = forwardedFor(fwd);
      headerName = "Forwarded";
      source = Source.FORWARDED;
    } else if (realIp != null) {
      if (!allowRealIpFallback) {
        notes.add("X-Real-IP ignored: allowRealIpFallback is off");
        return unresolved(p, trustedBy, proxyHeaders, List.of(), "", notes,
            "trusted proxy " + p + " sent no X-Forwarded-For or Forwarded header");
      }
      IpAddress client = IpAddress.endpoint(realIp);
      if (client == null) {
        return unresolved(p, trustedBy, proxyHeaders, List.of(), "malformed X-Real-IP " + quote(realIp), notes,
            "");
      }
      return new ClientAddress(client.toString(), Source.X_REAL_IP, p, trustedBy, true, List.of(),
          "", notes);
    } else {
      return unresolved(p, trustedBy, proxyHeaders, List.of(), "", notes,
          "trusted proxy " + p + " sent no X-Forwarded-For or Forwarded header");
    }
    boolean forwarded = source == Source.FORWARDED;
    List<String> hops = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      String entry = chain.get(i);
      if (forwarded && isPlaceholder(entry)) {
        return unresolved(p, trustedBy, proxyHeaders, hops, "", notes,
            "hop " + quote(entry) + " of Forwarded hides the client");
      }
      IpAddress hop = IpAddress.endpoint(entry);
      if (hop == null) {
        return unresolved(p, trustedBy, proxyHeaders, hops,
            "malformed " + headerName + " entry " + quote(entry), notes, "");
      }
      if (proxies.contains(hop)) {
        hops.add(hop.toString());
        continue;
      }
      String problem = "";
      for (int k = i - 1; k >= 0 && problem.isEmpty(); k--) {
        String left = chain.get(k);
        if (!(forwarded && isPlaceholder(left)) && IpAddress.endpoint(left) == null) {
          problem = "malformed " + headerName + " entry " + quote(left);
        }
      }
      return new ClientAddress(hop.toString(), source, p, trustedBy, true, hops, problem, notes);
    }
    return unresolved(p, trustedBy, proxyHeaders, hops, "", notes,
        chain.isEmpty() ? headerName + " is empty" : "every " + headerName + " hop is a trusted proxy");
  }

  private static ClientAddress unresolved(
      String peer, String trustedBy, boolean proxyHeaders, List<String> hops, String problem,
      List<String> notes, String note) {
    List<String> n = new ArrayList<>(notes);
    if (!note.isEmpty()) {
      n.add(note + "; the client address is unknown and the proxy's address is recorded");
    }
    return new ClientAddress(
        peer, Source.UNRESOLVED, peer, trustedBy, proxyHeaders, hops, problem, n);
  }

  /**
   * Whether {@link #address()} is the real client address by these rules: a direct connection or
   * a client named by a trusted proxy, with no {@link #problem()}.
   */
  public boolean isResolved() {
    return problem.isEmpty()
        && (source == Source.PEER
            || source == Source.X_FORWARDED_FOR
            || source == Source.FORWARDED
            || source == Source.X_REAL_IP);
  }

  /** {@link #address()} as an {@link IpAddress}, if there is one. */
  public Optional<IpAddress> ip() {
    return IpAddress.tryParse(address);
  }

  /** {@link #peer()} as an {@link IpAddress}, if it is one. */
  public Optional<IpAddress> peerIp() {
    return IpAddress.tryParse(peer);
  }

  /**
   * Whether proxy headers came from a peer that is not a trusted proxy (or from an unknown peer):
   * what {@code rejectUntrustedForwarded} refuses.
   */
  public boolean untrustedForwarding() {
    return proxyHeaders && trustedBy.isEmpty();
  }

  /** Whether the socket peer is a trusted proxy. */
  public boolean peerTrusted() {
    return !trustedBy.isEmpty();
  }

  /** One line for humans: the address, how it was found, and any problem. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    switch (source) {
      case NONE -> b.append("unknown");
      case PEER -> b.append(address).append(" (socket peer, no proxy headers)");
      case PEER_HEADERS_IGNORED -> b.append(address)
          .append(" (socket peer; it is not a trusted proxy, so its proxy headers were ignored)");
      case X_FORWARDED_FOR, FORWARDED, X_REAL_IP -> {
        b.append(address).append(" (from ").append(headerLabel(source)).append(" via trusted proxy ")
            .append(peer).append(" [matches ").append(trustedBy).append(']');
        if (!proxyHops.isEmpty()) {
          b.append(", skipped trusted hops ").append(String.join(" <- ", proxyHops));
        }
        b.append(')');
      }
      case UNRESOLVED -> b.append("unresolved; recorded as ").append(address)
          .append(" (trusted proxy [matches ").append(trustedBy).append("])");
    }
    if (!problem.isEmpty()) {
      b.append("; problem: ").append(problem);
    }
    for (String n : notes) {
      b.append("; ").append(n);
    }
    return b.toString();
  }

  private static String headerLabel(Source s) {
    return switch (s) {
      case X_FORWARDED_FOR -> "X-Forwarded-For";
      case FORWARDED -> "Forwarded";
      case X_REAL_IP -> "X-Real-IP";
      default -> s.name();
    };
  }

  private static String present(
      @Nullable String xff, @Nullable String fwd, @Nullable String realIp, @Nullable String xfh,
      @Nullable String xfp) {
    List<String> names = new ArrayList<>();
    if (xff != null) {
      names.add("X-Forwarded-For");
    }
    if (fwd != null) {
      names.add("Forwarded");
    }
    if (realIp != null) {
      names.add("X-Real-IP");
    }
    if (xfh != null) {
      names.add("X-Forwarded-Host");
    }
    if (xfp != null) {
      names.add("X-Forwarded-Proto");
    }
    return String.join(", ", names);
  }

  static @Nullable String header(Map<String, String> headers, String name) {
    String v = headers.get(name);
    if (v != null) {
      return v;
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static List<String> splitList(String value) {
    List<String> out = new ArrayList<>();
    if (value.isBlank()) {
      return out;
    }
    for (String s : value.split(",", -1)) {
      out.add(s.strip());
    }
    return out;
  }

  private static boolean isPlaceholder(String entry) {
    return entry.equalsIgnoreCase("unknown") || entry.startsWith("_");
  }

  /** The {@code for=} values of RFC 7239 {@code Forwarded}, one per element (empty if none). */
  private static List<String> forwardedFor(String value) {
    List<String> out = new ArrayList<>();
    if (value.isBlank()) {
      return out;
    }
    for (String element : splitOutsideQuotes(value, ',')) {
      String forValue = "";
      for (String pair : splitOutsideQuotes(element, ';')) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
          forValue = unquote(pair.substring(eq + 1).strip());
        }
      }
      out.add(forValue);
    }
    return out;
  }

  private static List<String> splitOutsideQuotes(String s, char sep) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      } else if (c == sep && !quoted) {
        out.add(cur.toString().strip());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    out.add(cur.toString().strip());
    return out;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
      return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return v;
  }

  /** Client-supplied text made safe to show: control characters replaced, length bounded. */
  static String sanitize(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (s.length() > 80) {
      b.append("...");
    }
    return b.toString();
  }

  static String quote(String s) {
    return '\'' + sanitize(s) + '\'';
  }
}
