package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a record keeps about where a device came from (the fields OpenClaw 2026.9 keeps too): the
 * remote address and browser origin of a request and of the approved device, how it was approved,
 * when a repeated request was refreshed, and when and why the device was last seen.
 */
class ProvenanceTest {
  /** An allowed origin longer than what a record keeps (MAX_ORIGIN_LENGTH). */
  private static final String LONG_ORIGIN =
      "https://" + ("a".repeat(62) + ".").repeat(3) + "b".repeat(60) + ":18789";
  // the origins these tests send are allowed (issue #14: any other Origin is refused)
  private final Fixture f = new Fixture(b -> b.pendingTtl(Duration.ofSeconds(20))
      .allowedOrigins(List.of("https://control.example", "http://127.0.0.1:18789", LONG_ORIGIN)));
  private final DeviceKeyPair alice = Fixture.key("provenance-alice");
  private static final Map<String, String> BROWSER =
      Map.of("Origin", "https://control.example", "Host", "gw.example:18789");

  private ConnectResult browser(DeviceKeyPair k, Map<String, String> headers, String... scopes) {
    return f.service.connect(f.attempt(k, Role.OPERATOR, List.of(scopes), Fixture.CLI,
        AuthMethod.SHARED_TOKEN, "", "198.51.100.4", headers));
  }

  @Test
  void originAndAddress_areKeptOnTheRequest_andCarriedToTheApprovedDevice() {
    PairingRequired p = f.pairingRequired(browser(alice, BROWSER, "operator.read"));
    PendingRequest q = f.service.pendingRequest(p.requestId()).orElseThrow();
    assertEquals("https://control.example", q.browserOrigin());
    assertEquals("198.51.100.4", q.remoteAddress());
    assertEquals(q.createdAt(), q.refreshedAt());

    f.advance(Duration.ofSeconds(5));
    PairingRequired again = f.pairingRequired(browser(alice, BROWSER, "operator.read"));
    assertEquals(p.requestId(), again.requestId(), "a covered repeat keeps its id");
    assertEquals(RequestChange.REFRESHED, again.requestChange());
    PendingRequest r = f.service.pendingRequest(p.requestId()).orElseThrow();
    assertEquals(q.createdAt().plusSeconds(5), r.refreshedAt(), "last refresh time kept");
    assertEquals(q.createdAt(), r.createdAt());
    assertEquals("https://control.example", r.browserOrigin(), "a refresh keeps the origin");

    Approval a = f.service.approve(p.requestId(), Approver.admin("ops"),
        ScopeSet.of("operator.read"));
    PairedDevice d = a.device();
    assertEquals("https://control.example", d.browserOrigin());
    assertEquals("198.51.100.4", d.remoteAddress());
    assertEquals("operator", d.approvedVia());
    assertNull(d.lastSeenAt());
    assertEquals("", d.lastSeenReason(), "never seen since approval");

    f.advance(Duration.ofSeconds(1));
    f.allowed(browser(alice, BROWSER, "operator.read"));
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    assertEquals(f.clock.instant(), rec.paired().lastSeenAt());
    assertEquals("connect", rec.paired().lastSeenReason());
    assertEquals("https://control.example", rec.paired().browserOrigin());
    assertTrue(rec.paired().summary().browserOrigin().equals("https://control.example"));
  }

  @Test
  void noOriginHeader_meansEmpty_andAWiderRequestTakesTheNewConnectsOrigin() {
    PairingRequired p = f.pairingRequired(browser(alice, Map.of(), "operator.read"));
    assertEquals("", f.service.pendingRequest(p.requestId()).orElseThrow().browserOrigin());
    PairingRequired wider = f.pairingRequired(browser(alice,
        Map.of("origin", "http://127.0.0.1:18789"), "operator.read", "operator.write"));
    assertEquals(RequestChange.SUPERSEDED, wider.requestChange());
    assertEquals("http://127.0.0.1:18789",
        f.service.pendingRequest(wider.requestId()).orElseThrow().browserOrigin());
  }

  @Test
  void aLongAllowedOrigin_isCut_notStoredWhole() {
    PairingRequired p = f.pairingRequired(browser(alice, Map.of("origin", LONG_ORIGIN),
        "operator.read"));
    String kept = f.service.pendingRequest(p.requestId()).orElseThrow().browserOrigin();
    assertEquals(ConnectAttempt.MAX_ORIGIN_LENGTH, kept.length());
    assertTrue(kept.startsWith("https://aaa") && kept.endsWith("\u2026"), kept);
  }

  @Test
  void anOversizedOrigin_isRefused_andNothingIsStored() {
    String huge = "https://" + "a".repeat(100_000) + ".example";
    ConnectResult r = browser(alice, Map.of("origin", huge), "operator.read");
    assertEquals(ErrorCode.FIELD_TOO_LONG, ((ConnectResult.Rejected) r).code());
    assertTrue(f.store.load(alice.deviceId()).isEmpty(), "nothing written");
  }
}
