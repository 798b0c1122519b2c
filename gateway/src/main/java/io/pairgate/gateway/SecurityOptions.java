package io.pairgate.gateway;

import io.pairgate.PairingService;

/**
 * Core security options the gateway turns on when core offers them (branch sec-core adds
 * {@code rejectUntrustedForwarded}, {@code allowedOrigins}, {@code neverSilent}); until then the
 * gateway enforces the forwarded-header rule at the HTTP upgrade itself, with core's
 * address code.
 */
final class SecurityOptions {
  private SecurityOptions() {}

  static void apply(PairingService.Builder b, boolean rejectUntrustedForwarded) {
    // nothing yet: see the class comment
  }
}
