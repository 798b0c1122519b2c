package io.pairgate.internal;

import io.pairgate.AuthMethod;
import io.pairgate.ConnectAttempt;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.ClientKind;
import io.pairgate.policy.IpAddress;
import io.pairgate.policy.Locality;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Owns the facts about one attempt's connection (R10): the client address behind trusted proxies,
 * the client kind, the locality class and whether every proxy hop is on the same host. Each is
 * computed on first use, so the allowed path of a paired device never computes them.
 */
final class AttemptFacts {
  private final ConnectAttempt attempt;
  private final EngineSettings settings;
  private @Nullable ClientAddress address;
  private @Nullable ClientKind kind;
  private Locality.@Nullable Classification locality;

  AttemptFacts(ConnectAttempt attempt, EngineSettings settings) {
    this.attempt = attempt;
    this.settings = settings;
  }

  ConnectAttempt attempt() {
    return attempt;
  }

  ClientAddress address() {
    ClientAddress x = address;
    if (x == null) {
      x = ClientAddress.resolve(attempt.peerAddress(), attempt.headers(),
          settings.trustedProxies(), settings.allowRealIpFallback());
      address = x;
    }
    return x;
  }

  ClientKind kind() {
    ClientKind k = kind;
    if (k == null) {
      k = settings.clientKinds().apply(attempt.client());
      kind = k;
    }
    return k;
  }

  Locality.Classification locality() {
    Locality.Classification l = locality;
    if (l == null) {
      l = Locality.classify(
          address(), attempt.headers(), attempt.auth(), settings.browserContainerBridges());
      locality = l;
    }
    return l;
  }

  /** Whether the socket peer and every skipped proxy hop are listed in sameHostProxies. */
  boolean sameHostProxy() {
    ClientAddress x = address();
    if (!x.peerTrusted() || settings.sameHostProxies().isEmpty()) {
      return false;
    }
    List<String> hops = new ArrayList<>(x.proxyHops());
    hops.add(x.peer());
    for (String hop : hops) {
      IpAddress ip = IpAddress.tryParse(hop).orElse(null);
      if (ip == null || !settings.sameHostProxies().contains(ip)
          || !settings.trustedProxies().contains(ip)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the connect came from a browser (it sent an Origin header). */
  boolean browserOrigin() {
    return attempt.headers().containsKey("origin");
  }

  AuthMethod auth() {
    return attempt.auth();
  }

  /**
   * Whether the connection may use the places of maxPending reserved for local connections: a
   * local class that does not rest on proxy headers alone (R12.1).
   */
  boolean reserveEligible() {
    Locality l = locality().locality();
    return l != Locality.REMOTE && (l != Locality.PROXIED_LOCAL || sameHostProxy());
  }
}
