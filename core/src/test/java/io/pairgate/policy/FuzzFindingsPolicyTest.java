package io.pairgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pairgate.AuthMethod;
import io.pairgate.PairgateException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The locality and address findings of the fuzz targets (docs/security-fuzzing.md). */
class FuzzFindingsPolicyTest {

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }

  @Test
  void cidrErrorsNeverCarryControlCharacters() {
    for (String bad : List.of("10.0.0.\u001b[31m1/8", "10.0.0.\u009b31m/8", "fd00::/1\u0007")) {
      PairgateException e = assertThrows(PairgateException.class, () -> IpRange.parse(bad));
      assertFalse(hasControl(e.getMessage()), e.getMessage());
      PairgateException l = assertThrows(PairgateException.class,
          () -> TrustedProxies.parse(List.of(bad)));
      assertFalse(hasControl(l.getMessage()), l.getMessage());
      assertThrows(PairgateException.class, () -> IpAddress.parse(bad));
    }
  }

  @Test
  void forwardedEntriesAreShownWithoutC1Controls() {
    ClientAddress a = ClientAddress.resolve("172.17.0.1",
        Map.of("X-Forwarded-For", "bogus\u009b[2J, 203.0.113.5"),
        TrustedProxies.parse(List.of("172.17.0.0/16")), false);
    assertEquals("203.0.113.5", a.address());
    assertFalse(a.problem().isEmpty());
    assertFalse(hasControl(a.describe()), a.describe());
  }

  @Test
  void aHostThatIsNotStrictlyHostAndPortIsNeverLoopback() {
    ClientAddress loopback = ClientAddress.resolve("127.0.0.1", Map.of(), TrustedProxies.none(), false);
    for (String host : List.of("[::1]evil.example", "localhost:http", "::1", "127.0.0.1:99999",
        "localhost:18789:1", "[::1")) {
      Locality.Classification c = Locality.classify(
          loopback, Map.of("Host", host), AuthMethod.SHARED_TOKEN, List.of());
      assertEquals(Locality.REMOTE, c.locality(), host + ": " + c.reason());
    }
    for (String host : List.of("localhost", "LOCALHOST:18789", "127.0.0.1:18789", "[::1]:18789")) {
      Locality.Classification c = Locality.classify(
          loopback, Map.of("Host", host), AuthMethod.SHARED_TOKEN, List.of());
      assertNotEquals(Locality.REMOTE, c.locality(), host + ": " + c.reason());
    }
  }
}
