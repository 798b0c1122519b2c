package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.AuthMethod;
import io.pairgate.testsupport.FuzzText;
import io.pairgate.PairgateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes client-address resolution from {@code X-Forwarded-For}, {@code Forwarded} and
 * {@code X-Real-IP} ({@link ClientAddress#resolve}) and locality from {@code Host}/{@code Origin}
 * ({@link Locality#classify}). Checked for every input:
 *
 * <ul>
 *   <li>neither throws; every address reported is canonical; all text is printable and bounded;
 *   <li>a peer that is not a trusted proxy is the client, whatever headers it sent;
 *   <li>a forwarded client is a hop of the header it came from, not itself a trusted proxy, with
 *       only trusted proxies to its right; a resolved address never has a problem;
 *   <li>a connection with a problem, an unknown peer or ignored/unresolved proxy headers is never
 *       direct-local, and neither is a client named by a forwarding header; a public socket peer talking directly is always remote; no credential
 *       ({@link AuthMethod#NONE}) is never one of the shared-secret local classes;
 *   <li>direct-local needs a {@code Host} that is strictly an RFC 3986 {@code host[:port]} naming
 *       {@code localhost} or a loopback address.
 * </ul>
 *
 * Input lines: {@code peer, trusted proxies (comma-separated), present-headers flags, X-Forwarded-For,
 * Forwarded, X-Real-IP, Host, Origin}. Flags: {@code x f i h o X} say which
 * of XFF, Forwarded, X-Real-IP, Host, Origin, X-Forwarded-Host are sent; {@code r} turns on
 * {@code allowRealIpFallback}; {@code b} configures the trusted proxies as browser-container
 * bridges; {@code n s p d} pick auth none/shared token/password/device token.
 */
class ForwardedHeadersFuzzTest {
  private static final Set<ClientAddress.Source> FORWARDED_SOURCES = Set.of(
      ClientAddress.Source.X_FORWARDED_FOR, ClientAddress.Source.FORWARDED,
      ClientAddress.Source.X_REAL_IP);

  @FuzzTest(maxDuration = "10m")
  void resolveAndClassify(byte[] data) {
    List<String> f = FuzzText.fields(data, 8);
    String peerText = f.get(0);
    TrustedProxies proxies = proxies(f.get(1));
    String flags = f.get(2);
    Map<String, String> headers = new LinkedHashMap<>();
    if (flags.contains("x")) {
      headers.put("X-Forwarded-For", f.get(3));
    }
    if (flags.contains("f")) {
      headers.put("forwarded", f.get(4));
    }
    if (flags.contains("i")) {
      headers.put("X-REAL-IP", f.get(5));
    }
    if (flags.contains("h")) {
      headers.put("Host", f.get(6));
    }
    if (flags.contains("o")) {
      headers.put("Origin", f.get(7));
    }
    if (flags.contains("X")) {
      headers.put("x-forwarded-host", "gateway.example");
    }
    boolean realIp = flags.contains("r");
    ClientAddress a = ClientAddress.resolve(peerText, headers, proxies, realIp);

    int bound = 4 * data.length + 2_000;
    FuzzText.assertSafeText(a.describe(), bound);
    FuzzText.assertSafeText(a.peer(), 200);
    Optional<IpAddress> peer = IpAddress.parseEndpoint(peerText);
    if (!a.address().isEmpty()) {
      assertEquals(IpAddress.parse(a.address()).toString(), a.address(), "canonical address");
    }
    if (peer.isEmpty()) {
      assertEquals(ClientAddress.Source.NONE, a.source());
      assertEquals("", a.address());
    } else {
      assertEquals(peer.get().toString(), a.peer());
      boolean trusted = proxies.contains(peer.get());
      assertEquals(trusted, a.peerTrusted());
      if (!trusted) {
        // an untrusted peer's headers are never believed
        assertEquals(peer.get().toString(), a.address());
        assertTrue(a.source() == ClientAddress.Source.PEER
            || a.source() == ClientAddress.Source.PEER_HEADERS_IGNORED, a::describe);
        assertEquals(a.proxyHeaders(), a.source() == ClientAddress.Source.PEER_HEADERS_IGNORED);
      } else {
        assertTrue(a.source() != ClientAddress.Source.PEER
            && a.source() != ClientAddress.Source.PEER_HEADERS_IGNORED, a::describe);
      }
    }
    if (a.isResolved()) {
      assertEquals("", a.problem());
    }
    if (a.source() == ClientAddress.Source.X_FORWARDED_FOR
        || a.source() == ClientAddress.Source.FORWARDED) {
      IpAddress client = IpAddress.parse(a.address());
      assertFalse(proxies.contains(client), "a trusted proxy was taken for the client");
      for (String hop : a.proxyHops()) {
        assertTrue(proxies.contains(IpAddress.parse(hop)), "skipped hop " + hop + " is not trusted");
      }
      if (a.source() == ClientAddress.Source.X_FORWARDED_FOR) {
        assertTrue(hopsOf(f.get(3)).contains(client), () -> client + " is not in " + f.get(3));
      }
    }
    if (a.source() == ClientAddress.Source.X_REAL_IP) {
      assertTrue(realIp && flags.contains("i") && !flags.contains("x") && !flags.contains("f"));
    }

    List<IpRange> bridges = flags.contains("b") ? proxies.ranges() : List.of();
    for (AuthMethod auth : auths(flags)) {
      Locality.Classification c = Locality.classify(a, headers, auth, bridges);
      FuzzText.assertSafeText(c.reason(), bound);
      Locality l = c.locality();
      if (!a.problem().isEmpty() || a.source() == ClientAddress.Source.NONE
          || a.source() == ClientAddress.Source.PEER_HEADERS_IGNORED
          || a.source() == ClientAddress.Source.UNRESOLVED) {
        assertNotEquals(Locality.DIRECT_LOCAL, l, c::reason);
      }
      if (a.source() == ClientAddress.Source.PEER && !peer.orElseThrow().isPrivateOrLoopback()) {
        assertEquals(Locality.REMOTE, l, c::reason);
      }
      if (auth == AuthMethod.NONE || auth == AuthMethod.DEVICE_TOKEN) {
        assertTrue(l == Locality.REMOTE || l == Locality.DIRECT_LOCAL
            || l == Locality.PROXIED_LOCAL, c::reason);
      }
      if (FORWARDED_SOURCES.contains(a.source())) {
        // an address learned from a header is never direct (issue 14 item 2)
        assertNotEquals(Locality.DIRECT_LOCAL, l, c::reason);
      }
      if (l == Locality.BROWSER_CONTAINER_LOCAL) {
        assertTrue(bridges.stream().anyMatch(r -> r.contains(peer.orElseThrow())), c::reason);
      }
      if (l == Locality.DIRECT_LOCAL) {
        String host = headers.get("Host");
        assertTrue(host != null && StrictHost.isLoopback(host),
            () -> "direct-local with Host " + host + ": " + c.reason());
      }
    }
  }

  private static List<AuthMethod> auths(String flags) {
    List<AuthMethod> out = new ArrayList<>();
    if (flags.contains("n")) {
      out.add(AuthMethod.NONE);
    }
    if (flags.contains("s")) {
      out.add(AuthMethod.SHARED_TOKEN);
    }
    if (flags.contains("p")) {
      out.add(AuthMethod.PASSWORD);
    }
    if (flags.contains("d")) {
      out.add(AuthMethod.DEVICE_TOKEN);
    }
    return out.isEmpty() ? List.of(AuthMethod.SHARED_TOKEN) : out;
  }

  private static TrustedProxies proxies(String line) {
    List<IpRange> out = new ArrayList<>();
    if (!line.isBlank()) {
      for (String e : line.split(",")) {
        try {
          out.add(IpRange.parse(e));
        } catch (PairgateException ignored) {
          // only the well-formed entries are configured; CidrFuzzTest covers the refusals
        }
      }
    }
    return new TrustedProxies(out);
  }

  private static List<IpAddress> hopsOf(String xff) {
    List<IpAddress> out = new ArrayList<>();
    for (String s : xff.split(",", -1)) {
      IpAddress.parseEndpoint(s).ifPresent(out::add);
    }
    return out;
  }

  /** An independent, strict reading of a {@code Host} value (RFC 3986 host [":" port]). */
  static final class StrictHost {
    private StrictHost() {}

    static boolean isLoopback(String header) {
      String value = header.strip(); // optional whitespace around a field value is not part of it
      String host = value;
      int close = value.lastIndexOf(']');
      int colon = value.lastIndexOf(':');
      if (value.startsWith("[")) {
        if (close < 0) {
          return false;
        }
        String rest = value.substring(close + 1);
        if (!rest.isEmpty() && !isPort(rest)) {
          return false;
        }
        host = value.substring(1, close);
        Optional<IpAddress> a = IpAddress.tryParse(host);
        return host.indexOf(':') >= 0 && a.isPresent() && a.get().isLoopback();
      }
      if (colon >= 0) {
        if (!isPort(value.substring(colon))) {
          return false;
        }
        host = value.substring(0, colon);
      }
      if (host.equalsIgnoreCase("localhost")) {
        return true;
      }
      if (!host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
        return false;
      }
      Optional<IpAddress> a = IpAddress.tryParse(host);
      return a.isPresent() && a.get().isLoopback();
    }

    private static boolean isPort(String colonDigits) {
      return colonDigits.matches(":[0-9]{0,5}")
          && (colonDigits.length() == 1 || Integer.parseInt(colonDigits.substring(1)) <= 65535);
    }
  }
}
