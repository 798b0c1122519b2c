package io.pairgate.gateway.internal;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.policy.BrowserOrigin;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The browser {@code Origin} rule of the gateway, which is core's rule (R16.4, R16.5:
 * {@link BrowserOrigin#refusal(Map, String, List, Set)}) applied at the upgrade over the
 * gateway's plain {@code ws} connection: a connect that carries an {@code Origin} is refused
 * unless it is one of the configured allowed origins or the gateway's own origin,
 * {@code http://<Host>} where the {@code Host} header names an IP address literal,
 * {@code localhost} or one of the configured gateway host names. Any other host <em>name</em> is
 * never taken as the gateway's own from the {@code Host} header alone, because a DNS-rebinding
 * page (its origin {@code http://evil.example:18789}, its name re-pointed at the gateway's
 * address) sends a matching {@code Host}.
 */
public final class Origins {
  /** The gateway serves plain WebSocket: its own origin is an {@code http} one. */
  private static final String SCHEME = "ws";

  private Origins() {}

  /**
   * Parses a configured allowed origin.
   *
   * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} for anything but
   *     {@code scheme://host[:port]}
   */
  public static BrowserOrigin parseAllowed(String value) {
    return BrowserOrigin.parseAllowed(value);
  }

  /**
   * Why a connection's {@code Origin} is refused, or empty when it has none, it is one of
   * {@code allowed}, or it is the gateway's own origin (see the class comment).
   *
   * @param headers the upgrade's headers ({@code origin}, {@code host})
   * @param gatewayHosts the configured gateway host names, lowercased
   */
  public static Optional<String> refusal(Map<String, String> headers,
      List<BrowserOrigin> allowed, Set<String> gatewayHosts) {
    return BrowserOrigin.refusal(headers, SCHEME, allowed, gatewayHosts);
  }
}
