package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.VirtualClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PairgateGateway.Builder} passes the options it shares with core to the wrapped
 * {@link io.pairgate.PairingServiceBuilder}: core validates them at the call, and the started
 * service uses them.
 */
class GatewayBuilderTest {
  static final String TOKEN = "tok-shared-0123456789abcdef";

  @Test
  void sharedOptionsAreValidatedByCoreAtTheCall() {
    PairgateGateway.Builder b = PairgateGateway.builder(new InMemoryPairingStore());
    PairgateException proxies = assertThrows(PairgateException.class,
        () -> b.trustedProxies(List.of("not-an-address")));
    assertEquals(ErrorCode.INVALID_ARGUMENT, proxies.code());
    assertThrows(PairgateException.class, () -> b.neverSilent(List.of("not a scope")));
    assertThrows(NullPointerException.class, () -> b.clock(null));
  }

  @Test
  void theStartedServiceUsesTheSharedOptionsAndABuilderStartsOneGateway() {
    VirtualClock clock = VirtualClock.at(1_700_000_000_000L);
    PairgateGateway.Builder b = PairgateGateway.builder(new InMemoryPairingStore()).port(0)
        .sharedToken(TOKEN).clock(clock);
    try (PairgateGateway gw = b.start()) {
      assertEquals(clock.instant(), gw.pairing().issueChallenge().issuedAt(),
          "the service issues challenges by the gateway's clock");
      IllegalStateException again = assertThrows(IllegalStateException.class, b::start);
      assertTrue(again.getMessage().contains("already started"), again.getMessage());
    }
  }
}
