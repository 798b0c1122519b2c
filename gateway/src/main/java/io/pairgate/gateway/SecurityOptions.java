package io.pairgate.gateway;

import io.pairgate.PairingServiceBuilder;
import java.util.List;

/** Core security options the gateway passes to {@link PairingServiceBuilder}. */
final class SecurityOptions {
  private SecurityOptions() {}

  static void apply(PairingServiceBuilder b, boolean rejectUntrustedForwarded,
      List<String> allowedOrigins, List<String> gatewayHosts, List<String> neverSilent) {
    // core refuses such a connect too (PROXY_ATTRIBUTION_REQUIRED); the gateway already answers
    // HTTP 403 at the upgrade, so this is the second line
    b.rejectUntrustedForwarded(rejectUntrustedForwarded);
    b.allowedOrigins(allowedOrigins);
    b.gatewayHosts(gatewayHosts);
    if (!neverSilent.isEmpty()) {
      b.neverSilent(neverSilent);
    }
  }
}
