package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.spi.DeviceRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 (security): every test performs an attack or plants a bad input and asserts both the
 * refusal and that nothing was written to the store. docs/security.md lists these tests.
 */
class SecurityTest {
  private final DeviceKeyPair alice = Fixture.key("alice");
  private final DeviceKeyPair mallory = Fixture.key("mallory");

  /** A connect attempt under construction, signed when built (v3 unless told otherwise). */
  static class Att {
    final Fixture f;
    final DeviceKeyPair key;
    Role role = Role.OPERATOR;
    List<String> scopes = List.of("operator.read");
    ClientInfo client = Fixture.CLI;
    AuthMethod auth = AuthMethod.SHARED_TOKEN;
    String token = "";
    String peer = "203.0.113.7";
    Map<String, String> headers = new LinkedHashMap<>();
    String publicKey;
    String deviceId;
    long signedAgoMs;
    boolean v2;
    Challenge challenge;
    String nonce;
    String signatureOverride;

    Att(Fixture f, DeviceKeyPair key) {
      this(f, key, f.service.issueChallenge());
    }

    Att(Fixture f, DeviceKeyPair key, Challenge c) {
      this.f = f;
      this.key = key;
      this.publicKey = key.publicKey().base64Url();
      this.deviceId = key.deviceId().value();
      this.challenge = c;
      this.nonce = challenge.nonce();
    }

    Att scopes(String... s) {
      scopes = List.of(s);
      return this;
    }

    Att client(ClientInfo c) {
      client = c;
      return this;
    }

    Att auth(AuthMethod a, String t) {
      auth = a;
      token = t;
      return this;
    }

    Att from(String p) {
      peer = p;
      return this;
    }

    Att header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Att role(Role r) {
      role = r;
      return this;
    }

    ConnectAttempt build() {
      long at = f.clock.millis() - signedAgoMs;
      String payload = v2
          ? ProofPayload.v2(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
              at, token, nonce)
          : ProofPayload.v3(deviceId, client.clientId(), client.clientMode(), role.name(), scopes,
              at, token, nonce, client.platform(), client.deviceFamily());
      String sig = signatureOverride != null ? signatureOverride : key.sign(payload);
      return ConnectAttempt.builder().device(deviceId, publicKey).role(role).scopes(scopes)
          .client(client).proof(sig, at, nonce).challenge(challenge).auth(auth, token)
          .peerAddress(peer).headers(headers).build();
    }

    ConnectResult connect() {
      return f.service.connect(build());
    }
  }

  /** Every record of the store, with its version: equal snapshots mean nothing was written. */
  static List<DeviceRecord> snapshot(Fixture f) {
    return new ArrayList<>(f.store.list("", Integer.MAX_VALUE));
  }

  static Fixture fixture(UnaryOperator<PairingServiceBuilder> b) {
    return new Fixture(b);
  }

  private static ConnectResult.Rejected rejected(ConnectResult r, ErrorCode code) {
    ConnectResult.Rejected x = assertInstanceOf(ConnectResult.Rejected.class, r, r::toString);
    assertEquals(code, x.code(), x.toString());
    return x;
  }

  // ---------------------------------------------------------------------------------------------
  // item 14: a nonce is consumed by any attempt that presented it (R1.4)

  @Test
  void item14_aNoncePresentedWithAStaleSignatureCannotBeReplayed() {
    Fixture f = fixture(b -> b);
    Att stale = new Att(f, alice);
    stale.signedAgoMs = 10 * 60_000;
    List<DeviceRecord> before = snapshot(f);
    rejected(stale.connect(), ErrorCode.SIGNATURE_EXPIRED);
    Att replay = new Att(f, alice);
    replay.challenge = stale.challenge;
    replay.nonce = stale.nonce;
    rejected(replay.connect(), ErrorCode.NONCE_MISMATCH);
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item14_everyEarlyFailureConsumesTheNonce() {
    Fixture f = fixture(b -> b);
    List<UnaryOperator<Att>> failures = List.of(
        a -> { a.publicKey = "not-a-key"; return a; },
        a -> { a.deviceId = mallory.deviceId().value(); return a; },
        a -> { a.signedAgoMs = -10 * 60_000; return a; },
        a -> { a.signatureOverride = "AAAA"; return a; },
        a -> { a.scopes = List.of("node.exec"); return a; });
    List<DeviceRecord> before = snapshot(f);
    for (UnaryOperator<Att> failure : failures) {
      Att first = failure.apply(new Att(f, alice));
      assertInstanceOf(ConnectResult.Rejected.class, first.connect());
      Att replay = new Att(f, alice);
      replay.challenge = first.challenge;
      replay.nonce = first.nonce;
      rejected(replay.connect(), ErrorCode.NONCE_MISMATCH);
    }
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item14_anAttemptAlsoUsesUpItsConnectionsChallenge() {
    Fixture f = fixture(b -> b);
    Att wrong = new Att(f, alice);
    wrong.nonce = "00000000-0000-4000-8000-00000000beef";
    rejected(wrong.connect(), ErrorCode.NONCE_MISMATCH);
    Att again = new Att(f, alice);
    again.challenge = wrong.challenge;
    again.nonce = wrong.challenge.nonce();
    rejected(again.connect(), ErrorCode.NONCE_MISMATCH);
    assertTrue(snapshot(f).isEmpty());
  }

  @Test
  void item14_explainConsumesNothing() {
    Fixture f = fixture(b -> b);
    Att a = new Att(f, alice);
    a.signedAgoMs = 10 * 60_000;
    f.service.explain(a.build());
    a.signedAgoMs = 0;
    assertInstanceOf(ConnectResult.PairingRequired.class, a.connect());
  }

  // ---------------------------------------------------------------------------------------------
  // item 15: a wrong secret answers token-mismatch whether or not the role was revoked (R7)

  @Test
  void item15_wrongSecretOnARevokedRoleIsTokenMismatch() {
    Fixture f = fixture(b -> b);
    f.pair(alice, Role.OPERATOR, "operator.read");
    // the approval stores no secret: the next shared-token connect mints and delivers it
    ConnectResult.Allowed minted =
        assertInstanceOf(ConnectResult.Allowed.class, new Att(f, alice).connect());
    String secret = minted.secret().orElseThrow().value();
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    List<DeviceRecord> before = snapshot(f);
    String wrong = "B".repeat(43);
    rejected(new Att(f, alice).auth(AuthMethod.DEVICE_TOKEN, wrong).connect(),
        ErrorCode.TOKEN_MISMATCH);
    assertEquals(TokenCheck.MISMATCH, f.service.verifyToken(
        alice.deviceId(), Role.OPERATOR, wrong, ScopeSet.empty()));
    // only the holder of the right secret learns of the revocation
    rejected(new Att(f, alice).auth(AuthMethod.DEVICE_TOKEN, secret).connect(),
        ErrorCode.TOKEN_REVOKED);
    assertEquals(TokenCheck.REVOKED, f.service.verifyToken(
        alice.deviceId(), Role.OPERATOR, secret, ScopeSet.empty()));
    assertEquals(before, snapshot(f), "nothing was written");
    assertFalse(f.service.list().pending().size() > 0);
  }

  // ---------------------------------------------------------------------------------------------
  // item 1: browser origins (R16.4); no trust from client.id/mode

  private static final ClientInfo CONTROL_UI =
      new ClientInfo("openclaw-control-ui", "webchat", "Linux x86_64", "", "", "control-ui");

  private static final Map<String, String> LOOPBACK_HOST = Map.of("Host", "127.0.0.1:18789");

  private Att local(Fixture f, DeviceKeyPair key) {
    Att a = new Att(f, key).from("127.0.0.1");
    a.headers.putAll(LOOPBACK_HOST);
    return a;
  }

  private static void nothingPaired(Fixture f) {
    assertTrue(f.service.list().paired().isEmpty(), "no device was paired");
  }

  @Test
  void item1_crossSitePageIsRejectedBeforeAnythingIsWritten() {
    // the issue's first silent-admin attack, even with silent approval opted in
    Fixture f = fixture(b -> b.autoApproveLocal(true));
    List<DeviceRecord> before = snapshot(f);
    Att a = local(f, mallory).client(CONTROL_UI).auth(AuthMethod.NONE, "")
        .scopes("operator.admin").header("Origin", "https://evil.example");
    Explanation why = f.service.explain(a.build());
    assertEquals(ErrorCode.ORIGIN_NOT_ALLOWED, why.rejection());
    assertEquals("R16.4", why.rule());
    ConnectResult.Rejected x = rejected(a.connect(), ErrorCode.ORIGIN_NOT_ALLOWED);
    assertFalse(x.message().contains("\n"));
    assertEquals(before, snapshot(f), "nothing was written");
    assertTrue(f.service.list().pending().isEmpty(), "nothing was queued");
  }

  @Test
  void item1_onlyTheGatewaysOwnOriginOrAnAllowedOneIsAccepted() {
    Fixture f = fixture(b -> b.allowedOrigins("https://control.example.com")
        .gatewayHosts("gw.example"));
    List<DeviceRecord> before = snapshot(f);
    // (with an explicit port and an unknown connection scheme, http and https of the same
    // host:port are the same server; a gateway that passes scheme(...) gets the exact check)
    for (String bad : List.of("http://127.0.0.1:18790", "ws://127.0.0.1:18789",
        "http://localhost:18789", "null", "http://127.0.0.1:18789/path", "file://",
        "http://user@127.0.0.1:18789", "https://control.example.com:8443")) {
      rejected(local(f, mallory).header("Origin", bad).connect(), ErrorCode.ORIGIN_NOT_ALLOWED);
    }
    Att wss = local(f, mallory).header("Origin", "http://127.0.0.1:18789");
    ConnectAttempt overTls = ConnectAttempt.builder().role(Role.OPERATOR).device(wss.deviceId, wss.publicKey)
        .scopes(wss.scopes).client(wss.client).challenge(wss.challenge).auth(wss.auth, wss.token)
        .proof(wss.build().signature(), wss.build().signedAtMs(), wss.nonce)
        .peerAddress(wss.peer).headers(wss.headers).scheme("wss").build();
    rejected(f.service.connect(overTls), ErrorCode.ORIGIN_NOT_ALLOWED);
    assertEquals(before, snapshot(f), "nothing was written");
    // the gateway's own origin, with or without the default port, and the allowed one pass
    assertInstanceOf(ConnectResult.PairingRequired.class,
        local(f, mallory).header("Origin", "http://127.0.0.1:18789").connect());
    Att plain = new Att(f, alice).from("203.0.113.8").header("Host", "gw.example")
        .header("Origin", "https://gw.example");
    assertInstanceOf(ConnectResult.PairingRequired.class, plain.connect());
    assertInstanceOf(ConnectResult.PairingRequired.class, new Att(f, Fixture.key("carol"))
        .header("Origin", "HTTPS://Control.Example.com:443").connect());
  }

  @Test
  void r16_5_dnsRebindingPageIsRejectedBeforeAnythingIsWritten() {
    // a page at http://evil.example:18789 whose name the attacker re-pointed at 127.0.0.1: the
    // browser connects to the gateway over loopback and sends the page's name as both Host and
    // Origin, which used to count as the gateway's own origin
    for (String scheme : List.of("", "ws")) {
      Fixture f = fixture(b -> b.autoApproveLocal(true).gatewayHosts("gw.example"));
      List<DeviceRecord> before = snapshot(f);
      Att a = local(f, mallory).client(CONTROL_UI).scopes("operator.read")
          .header("Host", "evil.example:18789").header("Origin", "http://evil.example:18789");
      ConnectAttempt built = a.build();
      ConnectAttempt attempt = scheme.isEmpty() ? built : ConnectAttempt.builder()
          .role(Role.OPERATOR).device(a.deviceId, a.publicKey).scopes(a.scopes).client(a.client)
          .challenge(a.challenge).auth(a.auth, a.token)
          .proof(built.signature(), built.signedAtMs(), a.nonce).peerAddress(a.peer)
          .headers(a.headers).scheme(scheme).build();
      Explanation why = f.service.explain(attempt);
      assertEquals(ErrorCode.ORIGIN_NOT_ALLOWED, why.rejection(), why.toString());
      ConnectResult.Rejected x = rejected(f.service.connect(attempt),
          ErrorCode.ORIGIN_NOT_ALLOWED);
      assertTrue(x.message().contains("gatewayHosts"), x.message());
      assertEquals(before, snapshot(f), "nothing was written");
      assertTrue(f.service.list().pending().isEmpty(), "nothing was queued");
    }
    // the same page under a configured gateway host name, an IP literal or localhost is the
    // gateway's own origin
    Fixture f = fixture(b -> b.gatewayHosts("GW.Example"));
    for (String host : List.of("gw.example:18789", "127.0.0.1:18789", "localhost:18789",
        "[::1]:18789")) {
      String origin = "http://" + host;
      assertInstanceOf(ConnectResult.PairingRequired.class, local(f, Fixture.key("d-" + host))
          .header("Host", host).header("Origin", origin).connect(), host);
    }
    // a name that merely ends in a configured one, or another port, is not
    for (String host : List.of("evil.gw.example:18789", "gw.example.evil:18789")) {
      rejected(local(f, mallory).header("Host", host).header("Origin", "http://" + host)
          .connect(), ErrorCode.ORIGIN_NOT_ALLOWED);
    }
  }

  @Test
  void r16_5_gatewayHostsRefusesAnythingButAHostName() {
    for (String bad : List.of("http://gw.example", "gw.example:443", "gw.example/x", "",
        " gw.example", "gw example")) {
      PairgateException e = assertThrows(PairgateException.class,
          () -> PairingService.builder(new InMemoryPairingStore()).gatewayHosts(bad));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad);
    }
  }

  @Test
  void item1_aClientCallingItselfControlUiGainsNothing() {
    Fixture f = fixture(b -> b.autoApproveLocal(true).browserContainerBridges("172.17.0.0/16"));
    List<ClientInfo> clients = List.of(CONTROL_UI, Fixture.CLI,
        ClientInfo.of("openclaw-macos", "ui", "macOS 14.4"), ClientInfo.of("x", "webchat", ""));
    for (String peer : List.of("127.0.0.1", "172.17.0.1", "192.168.1.50")) {
      for (boolean origin : new boolean[] {false, true}) {
        List<String> seen = new ArrayList<>();
        for (ClientInfo c : clients) {
          Att a = local(f, mallory).from(peer).client(c).scopes("operator.admin");
          if (origin) {
            a.header("Origin", "http://127.0.0.1:18789");
          }
          Explanation x = f.service.explain(a.build());
          seen.add(x.locality() + " " + x.outcome() + " " + x.autoApproval());
        }
        assertEquals(1, seen.stream().distinct().count(), peer + " origin=" + origin + ": " + seen);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // item 2: a forwarded address is never direct-local; rejectUntrustedForwarded

  @Test
  void item2_forwardedLoopbackFromATrustedBridgeIsNotSilentlyApproved() {
    // the issue's second attack: any container on the trusted Docker bridge claims loopback
    for (Map.Entry<String, String> header : List.of(Map.entry("X-Forwarded-For", "127.0.0.1"),
        Map.entry("Forwarded", "for=\"[::1]\""))) {
      Fixture f = fixture(b -> b.autoApproveLocal(true).trustedProxies("172.17.0.0/16"));
      Att a = local(f, mallory).from("172.17.0.5").scopes("operator.read")
          .header(header.getKey(), header.getValue());
      assertEquals(io.pairgate.policy.Locality.PROXIED_LOCAL,
          f.service.explain(a.build()).locality());
      ConnectResult.PairingRequired p =
          assertInstanceOf(ConnectResult.PairingRequired.class, a.connect());
      assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
      nothingPaired(f);
    }
  }

  @Test
  void item2_aProxyNamedSameHostMayVouchForALoopbackClient() {
    Fixture f = fixture(b -> b.autoApproveLocal(true).trustedProxies("172.17.0.1")
        .sameHostProxies("172.17.0.1"));
    Att a = local(f, alice).from("172.17.0.1").header("X-Forwarded-For", "127.0.0.1");
    assertInstanceOf(ConnectResult.Allowed.class, a.connect());
    assertEquals("silent", f.service.device(alice.deviceId()).orElseThrow().approvedVia());
    // a hop that is trusted but not same-host keeps it explicit
    Fixture g = fixture(b -> b.autoApproveLocal(true).trustedProxies("172.17.0.0/16")
        .sameHostProxies("172.17.0.1"));
    assertInstanceOf(ConnectResult.PairingRequired.class, local(g, alice).from("172.17.0.1")
        .header("X-Forwarded-For", "127.0.0.1, 172.17.0.9").connect());
    nothingPaired(g);
  }

  @Test
  void item2_rejectUntrustedForwardedRefusesHeadersFromAnUntrustedPeer() {
    Fixture f = fixture(b -> b.rejectUntrustedForwarded(true).trustedProxies("10.0.0.2"));
    List<DeviceRecord> before = snapshot(f);
    for (String h : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host",
        "X-Forwarded-Proto")) {
      rejected(local(f, mallory).header(h, "127.0.0.1").connect(),
          ErrorCode.PROXY_ATTRIBUTION_REQUIRED);
      rejected(new Att(f, mallory).from("").header(h, "127.0.0.1").connect(),
          ErrorCode.PROXY_ATTRIBUTION_REQUIRED);
    }
    assertEquals(before, snapshot(f), "nothing was written");
    // from the trusted proxy the same header is fine
    assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, mallory).from("10.0.0.2").header("X-Forwarded-For", "203.0.113.1").connect());
    // the library default ignores them and treats the connection as remote
    Fixture g = fixture(b -> b.autoApproveLocal(true));
    assertInstanceOf(ConnectResult.PairingRequired.class,
        local(g, mallory).header("X-Forwarded-For", "127.0.0.1").connect());
  }

  // ---------------------------------------------------------------------------------------------
  // item 3: no locality from headers alone

  @Test
  void item3_aLanPeerForgingHostAndOriginStaysRemote() {
    // the issue's third attack, with a bridge configured as well
    Fixture f = fixture(b -> b.autoApproveLocal(true).browserContainerBridges("172.17.0.0/16"));
    Att a = local(f, mallory).from("192.168.1.50").client(CONTROL_UI).scopes("operator.admin")
        .header("Origin", "http://127.0.0.1:18789");
    assertEquals(io.pairgate.policy.Locality.REMOTE, f.service.explain(a.build()).locality());
    Att b = local(f, mallory).from("192.168.1.50").client(CONTROL_UI).scopes("operator.admin")
        .header("Origin", "http://127.0.0.1:18789");
    assertInstanceOf(ConnectResult.PairingRequired.class, b.connect());
    nothingPaired(f);
  }

  @Test
  void item3_browserContainerLocalNeedsAConfiguredBridge() {
    Fixture off = fixture(b -> b.autoApproveLocal(true));
    Att a = local(off, alice).from("172.17.0.1").header("Origin", "http://127.0.0.1:18789");
    assertEquals(io.pairgate.policy.Locality.REMOTE, off.service.explain(a.build()).locality());
    assertInstanceOf(ConnectResult.PairingRequired.class, local(off, alice).from("172.17.0.1")
        .header("Origin", "http://127.0.0.1:18789").connect());
    nothingPaired(off);
    Fixture on = fixture(b -> b.autoApproveLocal(true).browserContainerBridges("172.17.0.0/16"));
    assertInstanceOf(ConnectResult.Allowed.class, local(on, alice).from("172.17.0.1")
        .header("Origin", "http://127.0.0.1:18789").connect());
  }

  @Test
  void item3_aHostThatIsNotStrictlyHostPortIsNotLoopback() {
    Fixture f = fixture(b -> b.autoApproveLocal(true));
    for (String host : List.of("localhost@evil.example", "127.0.0.1:80/x", "127.000.0.1",
        "127.1", "localhost.", "localhost:", "[::1%25lo]:1", "local host", "0x7f.0.0.1")) {
      Att a = new Att(f, mallory).from("127.0.0.1").header("Host", host);
      assertEquals(io.pairgate.policy.Locality.REMOTE, f.service.explain(a.build()).locality(),
          host);
      assertInstanceOf(ConnectResult.PairingRequired.class, a.connect(), host);
    }
    nothingPaired(f);
  }

  // ---------------------------------------------------------------------------------------------
  // item 4: silent approval needs a credential and never grants admin

  @Test
  void item4_noCredentialIsNeverSilent() {
    // the issue's fourth attack, with silent approval opted in
    Fixture f = fixture(b -> b.autoApproveLocal(true));
    for (String scope : List.of("operator.read", "operator.admin")) {
      Att a = local(f, mallory).auth(AuthMethod.NONE, "").scopes(scope);
      assertInstanceOf(ConnectResult.PairingRequired.class, a.connect(), scope);
    }
    nothingPaired(f);
  }

  @Test
  void item4_autoApproveLocalIsOffByDefault() {
    Fixture f = fixture(b -> b);
    assertInstanceOf(ConnectResult.PairingRequired.class, local(f, alice).connect());
    nothingPaired(f);
  }

  @Test
  void item4_silentApprovalNeverGrantsANeverSilentScope() {
    Fixture f = fixture(b -> b.autoApproveLocal(true));
    Explanation why = f.service.explain(local(f, mallory).scopes("operator.admin").build());
    assertTrue(why.autoApproval().stream().anyMatch(l -> l.contains("neverSilent")),
        why.autoApproval()::toString);
    assertInstanceOf(ConnectResult.PairingRequired.class,
        local(f, mallory).scopes("operator.admin").connect());
    nothingPaired(f);
    // a local device paired silently with read cannot upgrade itself to admin silently either
    assertInstanceOf(ConnectResult.Allowed.class, local(f, alice).connect());
    ConnectResult.PairingRequired up = assertInstanceOf(ConnectResult.PairingRequired.class,
        local(f, alice).scopes("operator.admin").connect());
    assertEquals(UpgradeReason.SCOPE_UPGRADE, up.reason());
    assertEquals(ScopeSet.of("operator.read"),
        f.service.device(alice.deviceId()).orElseThrow().approvedScopes());
    // a scope that implies a neverSilent one is refused too; the set is configurable
    Fixture g = fixture(b -> b.autoApproveLocal(true).neverSilent("operator.write"));
    assertInstanceOf(ConnectResult.PairingRequired.class,
        local(g, mallory).scopes("operator.admin").connect());
    nothingPaired(g);
    Fixture h = fixture(b -> b.autoApproveLocal(true).neverSilent());
    assertInstanceOf(ConnectResult.Allowed.class,
        local(h, mallory).scopes("operator.admin").connect());
  }

  // ---------------------------------------------------------------------------------------------
  // item 5: pending-request exhaustion

  @Test
  void item5_oneIpv6Slash64CannotFillThePendingRequests() {
    Fixture f = fixture(b -> b);
    int queued = 0;
    for (int i = 1; i <= 1000; i++) {
      Att a = new Att(f, Fixture.key("flood-" + i)).from("2001:db8:1:2::" + Integer.toHexString(i));
      ConnectResult r = a.connect();
      if (r instanceof ConnectResult.PairingRequired) {
        queued++;
      } else {
        rejected(r, ErrorCode.TOO_MANY_PENDING);
      }
    }
    assertEquals(16, queued, "maxPendingPerAddress counts the whole /64");
    assertEquals(16, f.service.list().pending().size(), "rejected connects wrote nothing");
    assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, alice).from("2001:db8:9::1").connect(), "a second address can still queue");
    assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, Fixture.key("v4")).from("198.51.100.4").connect());
    assertEquals(18, f.service.list().pending().size());
  }

  @Test
  void item5_thePrefixIsConfigurable() {
    Fixture f = fixture(b -> b.pendingIpv6Prefix(128).maxPendingPerAddress(1));
    assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, alice).from("2001:db8:1:2::1").connect());
    assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, mallory).from("2001:db8:1:2::2").connect());
    rejected(new Att(f, Fixture.key("c")).from("2001:db8:1:2::2").connect(),
        ErrorCode.TOO_MANY_PENDING);
  }

  @Test
  void item5_remotePeersTogetherCannotTakeTheLocalReserve() {
    Fixture f = fixture(b -> b.maxPending(20));
    for (int i = 1; i <= 18; i++) {
      assertInstanceOf(ConnectResult.PairingRequired.class,
          new Att(f, Fixture.key("remote-" + i)).from("198.51.100." + i).connect());
    }
    List<DeviceRecord> before = snapshot(f);
    ConnectResult.Rejected x = rejected(
        new Att(f, Fixture.key("remote-19")).from("198.51.100.19").connect(),
        ErrorCode.TOO_MANY_PENDING);
    assertTrue(x.message().contains("reserved for local"), x.message());
    assertEquals(before, snapshot(f), "nothing was written");
    // the gateway's own host can still ask, up to maxPending
    assertInstanceOf(ConnectResult.PairingRequired.class, local(f, alice).connect());
    assertInstanceOf(ConnectResult.PairingRequired.class, local(f, mallory).connect());
    rejected(local(f, Fixture.key("third")).connect(), ErrorCode.TOO_MANY_PENDING);
  }

  // ---------------------------------------------------------------------------------------------
  // item 6: input limits, before anything is written

  @Test
  void item6_everyOverLimitFieldIsRejectedAndWritesNothing() {
    Fixture f = fixture(b -> b);
    List<DeviceRecord> before = snapshot(f);
    String huge = "x".repeat(10_000);
    List<UnaryOperator<Att>> attacks = List.of(
        a -> a.client(new ClientInfo(huge, "cli", "linux", "", "", "")),
        a -> a.client(new ClientInfo("cli", "x".repeat(65), "linux", "", "", "")),
        a -> a.client(new ClientInfo("cli", "cli", "x".repeat(129), "", "", "")),
        a -> a.client(new ClientInfo("cli", "cli", "linux", "x".repeat(65), "", "")),
        a -> a.client(new ClientInfo("cli", "cli", "linux", "", "x".repeat(257), "")),
        a -> a.client(new ClientInfo("cli", "cli", "linux", "", "", "x".repeat(129))),
        a -> { a.scopes = java.util.Collections.nCopies(65, "operator.read"); return a; },
        a -> a.scopes("operator." + "x".repeat(200)),
        a -> { a.publicKey = "A".repeat(513); return a; },
        a -> { a.signatureOverride = "A".repeat(129); return a; },
        a -> { a.nonce = "n".repeat(129); return a; },
        a -> { a.deviceId = a.deviceId + "0"; return a; },
        a -> a.auth(AuthMethod.SHARED_TOKEN, "t".repeat(1025)),
        a -> a.header("Host", "h".repeat(8193)),
        a -> a.header("X-Forwarded-For", "1.2.3.4, ".repeat(1000)));
    for (UnaryOperator<Att> attack : attacks) {
      ConnectResult.Rejected x =
          rejected(attack.apply(new Att(f, mallory)).connect(), ErrorCode.FIELD_TOO_LONG);
      assertFalse(x.message().contains("xxxxxxxx"), "the message never quotes the content");
      assertTrue(x.deviceId().length() <= 67, "the claimed id is shortened");
    }
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item6_realClientsAreWithinTheLimits() {
    Fixture f = fixture(b -> b);
    Att ui = new Att(f, alice).client(CONTROL_UI).scopes("operator.admin", "operator.read",
        "operator.write", "operator.approvals", "operator.pairing");
    ui.publicKey = alice.publicKey().pem();
    assertInstanceOf(ConnectResult.PairingRequired.class, ui.connect());
    Att app = new Att(f, mallory).client(new ClientInfo("openclaw-macos", "ui", "macOS 14.4",
        "Mac", "Alice's MacBook Pro", "2026.6.10"));
    assertInstanceOf(ConnectResult.PairingRequired.class, app.connect());
  }

  @Test
  void item6_anOverLimitRecordAlreadyStoredStillWorksAndIsNamed() {
    Fixture f = fixture(b -> b);
    f.pair(alice, Role.OPERATOR, "operator.read");
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    PairedDevice planted = rec.paired().withClient(rec.paired().client()
        .withDisplayName("d".repeat(100_000)));
    assertTrue(f.store.compareAndSet(rec.version(), new DeviceRecord(rec.deviceId(),
        rec.version() + 1, planted, rec.pending(), rec.blocked(), rec.resolved())));
    DeviceRecord stored = f.store.load(alice.deviceId()).orElseThrow();
    List<InputLimits.Violation> v = InputLimits.check(stored);
    assertEquals(1, v.size(), v.toString());
    assertEquals("paired.client.displayName", v.get(0).field());
    assertFalse(v.get(0).message().contains("ddd"));
    assertInstanceOf(ConnectResult.Allowed.class, new Att(f, alice).connect());
    assertEquals(1, f.service.list().paired().size());
    f.service.explainDevice(alice.deviceId());
  }

  // ---------------------------------------------------------------------------------------------
  // item 10: no '|' or control characters in signed fields; acceptV2Proofs

  @Test
  void item10_aFieldCannotShiftIntoItsNeighbour() {
    Fixture f = fixture(b -> b);
    List<DeviceRecord> before = snapshot(f);
    // the device signed clientId "a", mode "b|c"; an intermediary re-splits it as "a|b", "c"
    Att signed = new Att(f, alice).client(ClientInfo.of("a", "b|c", "linux"));
    ConnectAttempt orig = signed.build();
    ConnectAttempt shifted = ConnectAttempt.builder().role(Role.OPERATOR).device(orig.deviceId(), orig.publicKey())
        .scopes(orig.scopes()).client(ClientInfo.of("a|b", "c", "linux"))
        .proof(orig.signature(), orig.signedAtMs(), orig.nonce()).challenge(orig.challenge())
        .auth(orig.auth(), orig.token()).peerAddress(orig.peerAddress()).build();
    rejected(f.service.connect(shifted), ErrorCode.INVALID_FIELD);
    List<UnaryOperator<Att>> attacks = List.of(
        a -> a.client(ClientInfo.of("cli|x", "cli", "linux")),
        a -> a.client(ClientInfo.of("cli", "cli\u0000", "linux")),
        a -> a.client(ClientInfo.of("cli", "cli", "linux|").withDeviceFamily("")),
        a -> a.client(ClientInfo.of("cli", "cli", "linux").withDeviceFamily("mac\u001b[31m")),
        a -> a.auth(AuthMethod.SHARED_TOKEN, "tok|en"),
        a -> { a.nonce = a.nonce + "|"; return a; },
        a -> a.scopes("operator.read|x"),
        a -> a.client(ClientInfo.of("cli\u0085", "cli", "linux")));
    for (UnaryOperator<Att> attack : attacks) {
      rejected(attack.apply(new Att(f, mallory)).connect(), ErrorCode.INVALID_FIELD);
    }
    assertEquals(before, snapshot(f), "nothing was written");
  }

  @Test
  void item10_v2ProofsCanBeSwitchedOff() {
    Fixture on = fixture(b -> b);
    Att v2 = new Att(on, alice);
    v2.v2 = true;
    assertInstanceOf(ConnectResult.PairingRequired.class, v2.connect(), "default accepts v2");
    Fixture off = fixture(b -> b.acceptV2Proofs(false));
    List<DeviceRecord> before = snapshot(off);
    Att old = new Att(off, alice);
    old.v2 = true;
    rejected(old.connect(), ErrorCode.SIGNATURE_INVALID);
    assertEquals(before, snapshot(off), "nothing was written");
    assertInstanceOf(ConnectResult.PairingRequired.class, new Att(off, alice).connect());
  }

  // ---------------------------------------------------------------------------------------------
  // item 12: challenges are bounded and fail closed

  @Test
  void item12_challengesAreBoundedAndFailClosedWithARetryAfter() {
    Fixture f = fixture(b -> b.maxChallenges(3));
    Challenge c1 = f.service.issueChallenge();
    f.service.issueChallenge();
    f.service.issueChallenge();
    RetryLaterException e = org.junit.jupiter.api.Assertions.assertThrows(
        RetryLaterException.class, f.service::issueChallenge);
    assertEquals(ErrorCode.TOO_MANY_CHALLENGES, e.code());
    assertTrue(e.retryAfter().compareTo(java.time.Duration.ofSeconds(1)) >= 0);
    assertTrue(e.retryAfter().compareTo(java.time.Duration.ofMinutes(5)) <= 0, e.retryAfter()::toString);
    // the issued challenges were not evicted: the first one still works
    Att a = new Att2(f, alice, c1);
    assertInstanceOf(ConnectResult.PairingRequired.class, a.connect());
    f.service.issueChallenge(); // its place was freed by the use
    f.advance(java.time.Duration.ofMinutes(5).plusMillis(1));
    f.service.issueChallenge(); // expired ones free their places
    f.service.issueChallenge();
    org.junit.jupiter.api.Assertions.assertThrows(PairgateException.class,
        () -> PairingService.builder(new InMemoryPairingStore())
            .challengeTtl(java.time.Duration.ofHours(2)));
  }

  /** An attempt on a given, already issued challenge. */
  static final class Att2 extends Att {
    Att2(Fixture f, DeviceKeyPair key, Challenge c) {
      super(f, key, c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // item 13: metadata pins; empty pins "empty", backfill only for records marked legacy

  @Test
  void item13_anEmptyPinIsAPin() {
    Fixture f = fixture(b -> b);
    f.service.approve(f.pairingRequired(new Att(f, alice)
        .client(ClientInfo.of("openclaw-ios", "ui", "")).connect()).requestId(),
        Approver.admin("op"));
    List<DeviceRecord> before = snapshot(f);
    ConnectResult.PairingRequired p = assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, alice).client(ClientInfo.of("openclaw-ios", "ui", "iOS 18.1")).connect());
    assertEquals(UpgradeReason.METADATA_UPGRADE, p.reason());
    ConnectResult.PairingRequired q = assertInstanceOf(ConnectResult.PairingRequired.class,
        new Att(f, alice).client(ClientInfo.of("openclaw-ios", "ui", "").withDeviceFamily("iPhone"))
            .connect());
    assertEquals(UpgradeReason.METADATA_UPGRADE, q.reason());
    PairedDevice d = f.service.device(alice.deviceId()).orElseThrow();
    assertEquals("", d.client().platform(), "the pin was not adopted");
    assertEquals("", d.client().deviceFamily());
    assertEquals(before.get(0).paired(), d, "the paired device was not written");
    assertInstanceOf(ConnectResult.Allowed.class,
        new Att(f, alice).client(ClientInfo.of("openclaw-ios", "ui", "")).connect());
  }

  @Test
  void item13_onlyARecordMarkedLegacyIsBackfilled() {
    Fixture f = fixture(b -> b);
    f.pair(alice, Role.OPERATOR, "operator.read");
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    PairedDevice legacy = rec.paired().withClient(ClientInfo.of("cli", "cli", ""))
        .withLegacyMetadata(true);
    assertTrue(f.store.compareAndSet(rec.version(), new DeviceRecord(rec.deviceId(),
        rec.version() + 1, legacy, null, false, rec.resolved())));
    assertInstanceOf(ConnectResult.Allowed.class,
        new Att(f, alice).client(ClientInfo.of("cli", "cli", "linux")).connect());
    PairedDevice after = f.service.device(alice.deviceId()).orElseThrow();
    assertEquals("linux", after.client().platform(), "backfilled");
    assertFalse(after.legacyMetadata(), "the mark is cleared by the backfill");
    assertEquals(UpgradeReason.METADATA_UPGRADE, f.pairingRequired(new Att(f, alice)
        .client(ClientInfo.of("cli", "cli", "windows")).connect()).reason());
  }
}
