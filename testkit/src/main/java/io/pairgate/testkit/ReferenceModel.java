package io.pairgate.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A deliberately simple model of the pairing semantics (docs/semantics.md, Engine.java): plain
 * maps and sets, one device at a time, no stores, no concurrency, no cryptography. Request ids are
 * the model's own names ({@code r1}, {@code r2}, …) and token secrets likewise ({@code t1}, …);
 * the lockstep harness maps the real service's UUIDs and secrets onto them.
 *
 * <p>Every operation returns its outcome as a canonical string; {@link Lockstep} renders the real
 * service's answers the same way, so comparing is comparing strings.
 */
final class ReferenceModel {

  /** Service options the model needs to know. */
  record Config(long pendingTtlMs, long skewMs, long retentionMs, int maxResolvedPerDevice) {
    static Config defaults() {
      return new Config(300_000, 120_000, 86_400_000, 32);
    }
  }

  record Token(Set<String> scopes, String secret, boolean revoked) {
    Token {
      scopes = sorted(scopes);
    }
  }

  record Paired(Set<String> roles, Set<String> baseline, String pinPlatform, String pinFamily,
      Map<String, Token> tokens, long createdAt, long approvedAt) {}

  record Pending(String id, String role, Set<String> roles, Set<String> scopes, Action.Client client,
      long createdAt, long refreshedAt, long expiresAt, boolean repair, String reason) {}

  record Tomb(String id, String outcome, String successor, long at) {}

  static final class Device {
    @Nullable Paired paired;
    @Nullable Pending pending;
    boolean blocked;
    List<Tomb> resolved = new ArrayList<>();
  }

  /** What a device looks like through the service's listing (only the visible parts). */
  record View(int device, @Nullable PendingView pending, @Nullable PairedView paired, boolean blocked) {}

  record PendingView(String id, String role, Set<String> roles, Set<String> scopes, String reason,
      boolean repair, String platform, String family, long createdAt, long refreshedAt,
      long expiresAt) {}

  record PairedView(Set<String> roles, Set<String> baseline, String pinPlatform, String pinFamily,
      Map<String, TokenView> tokens, long createdAt, long approvedAt) {}

  record TokenView(Set<String> scopes, String secret, boolean revoked) {}

  static final String OPERATOR = "operator";
  static final String ADMIN = "operator.admin";

  private final Config cfg;
  private final Device[] devices;
  private long now;
  private int nextRequest = 1;
  private int nextSecret = 1;
  private final List<String> minted = new ArrayList<>();
  /** The token secret each device's client last received, by "device:role". */
  private final Map<String, String> held = new TreeMap<>();

  ReferenceModel(Config cfg, int deviceCount, long startMs) {
    this.cfg = cfg;
    this.devices = new Device[deviceCount];
    for (int i = 0; i < deviceCount; i++) {
      devices[i] = new Device();
    }
    this.now = startMs;
  }

  long now() {
    return now;
  }

  /** Every request name minted so far, oldest first. */
  List<String> minted() {
    return minted;
  }

  /** The most recently minted request that is pending and unexpired, if any. */
  Optional<String> latestPending() {
    for (int i = minted.size() - 1; i >= 0; i--) {
      String id = minted.get(i);
      for (Device d : devices) {
        if (d.pending != null && d.pending.id.equals(id) && now < d.pending.expiresAt) {
          return Optional.of(id);
        }
      }
    }
    return Optional.empty();
  }

  /** The model name a pick refers to, or empty for "an id nobody minted". */
  Optional<String> resolvePick(int pick) {
    if (pick == Action.LATEST) {
      return latestPending();
    }
    if (pick == Action.UNKNOWN || minted.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(minted.get(Math.floorMod(pick, minted.size())));
  }

  /** The secret name the device's client holds for {@code role}, if any. */
  Optional<String> heldToken(int device, String role) {
    return Optional.ofNullable(held.get(device + ":" + role));
  }

  // ---------------------------------------------------------------------------------------------
  // scope relation (OpenClaw), written out independently of ScopePolicy

  static boolean wellFormed(String s) {
    return s.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  }

  static boolean belongs(String role, String scope) {
    return scope.length() > role.length() + 1 && scope.startsWith(role + ".");
  }

  static boolean implies(String role, String s, Set<String> granted) {
    if (!belongs(role, s)) {
      return false;
    }
    if (granted.contains(s)) {
      return true;
    }
    if (!role.equals(OPERATOR)) {
      return false;
    }
    return granted.contains(ADMIN)
        || ((s.equals("operator.read") || s.equals("operator.talk"))
            && granted.contains("operator.write"));
  }

  static boolean allows(String role, Collection<String> requested, Set<String> granted) {
    for (String s : requested) {
      if (!implies(role, s, granted)) {
        return false;
      }
    }
    return true;
  }

  static Set<String> missing(String role, Collection<String> requested, Set<String> granted) {
    TreeSet<String> out = new TreeSet<>();
    for (String s : requested) {
      if (!implies(role, s, granted)) {
        out.add(s);
      }
    }
    return out;
  }

  static Set<String> sorted(Collection<String> c) {
    return java.util.Collections.unmodifiableSet(new TreeSet<>(c));
  }

  static Set<String> union(Collection<String> a, Collection<String> b) {
    TreeSet<String> out = new TreeSet<>(a);
    out.addAll(b);
    return java.util.Collections.unmodifiableSet(out);
  }

  static Set<String> belongingTo(String role, Collection<String> scopes) {
    TreeSet<String> out = new TreeSet<>();
    for (String s : scopes) {
      if (belongs(role, s)) {
        out.add(s);
      }
    }
    return java.util.Collections.unmodifiableSet(out);
  }

  // ---------------------------------------------------------------------------------------------
  // metadata pins

  enum Pin { MATCH, REFRESH, MISMATCH }

  static String norm(String v) {
    String s = v.strip();
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    return b.toString();
  }

  static String platformFamily(String normalized) {
    int i = 0;
    while (i < normalized.length() && Character.isLetter(normalized.charAt(i))) {
      i++;
    }
    String w = normalized.substring(0, i);
    return w.equals("darwin") || w.equals("mac") || w.equals("osx") ? "macos" : w;
  }

  static Pin comparePin(String pinPlatform, String pinFamily, Action.Client c) {
    boolean refresh = false;
    String pf = norm(pinFamily);
    String inf = norm(c.deviceFamily());
    // An empty pin is a pin (issue #14 item 13): the model never holds records from before
    // pinning existed, so nothing is ever backfilled.
    if (!pf.equals(inf)) {
      return Pin.MISMATCH;
    }
    String pp = norm(pinPlatform);
    String ip = norm(c.platform());
    if (!pp.equals(ip)) {
      String fam = platformFamily(pp);
      if (pp.isEmpty() || !Set.of("ios", "ipados", "android", "watchos", "macos").contains(fam)
          || !fam.equals(platformFamily(ip))) {
        return Pin.MISMATCH;
      }
      refresh = true;
    }
    return refresh ? Pin.REFRESH : Pin.MATCH;
  }

  // ---------------------------------------------------------------------------------------------
  // operations

  String connect(Action.Connect c) {
    if (c.proof() == Action.Proof.BAD_SIGNATURE) {
      return "rejected error=signature-invalid";
    }
    if (c.proof() == Action.Proof.STALE && 125_000 > cfg.skewMs) {
      return "rejected error=signature-expired";
    }
    String role = c.role();
    for (String s : c.scopes()) {
      if (!wellFormed(s)) {
        return "rejected error=invalid-scope";
      }
    }
    Set<String> req = sorted(c.scopes());
    for (String s : req) {
      if (!belongs(role, s)) {
        return "rejected error=invalid-scope";
      }
    }
    Device d = devices[c.device()];
    if (d.blocked) {
      return "rejected error=blocked";
    }
    Paired p = d.paired;
    if (c.auth() == Action.Auth.DEVICE_TOKEN || c.auth() == Action.Auth.BAD_DEVICE_TOKEN) {
      String presented = c.auth() == Action.Auth.BAD_DEVICE_TOKEN
          ? "never-issued" : held.get(c.device() + ":" + role);
      String error = p == null ? "unknown-device" : checkToken(p, role, presented, req);
      if (error != null) {
        return "rejected error=" + error;
      }
    }
    String reason = null;
    Pin pin = Pin.MATCH;
    if (p == null) {
      reason = "not-paired";
    } else {
      pin = comparePin(p.pinPlatform, p.pinFamily, c.client());
      if (pin == Pin.MISMATCH) {
        reason = "metadata-upgrade";
      } else if (!effectiveRoles(p).contains(role)) {
        reason = "role-upgrade";
      } else if (!allows(role, req, p.baseline)) {
        reason = "scope-upgrade";
      }
    }
    if (reason == null) {
      return allow(c, d, p, role, req, pin);
    }
    return requirePairing(c, d, p, role, req, reason);
  }

  private static @Nullable String checkToken(Paired p, String role, @Nullable String presented,
      Set<String> req) {
    if (!p.roles.contains(role)) {
      return "unknown-role";
    }
    Token t = p.tokens.get(role);
    if (t == null) {
      return "token-missing";
    }
    if (presented == null || !presented.equals(t.secret)) {
      return "token-mismatch";
    }
    if (t.revoked) {
      return "token-revoked";
    }
    if (!allows(role, t.scopes, p.baseline) || !allows(role, req, t.scopes)) {
      return "token-scope-mismatch";
    }
    return null;
  }

  static Set<String> effectiveRoles(Paired p) {
    if (p.tokens.isEmpty()) {
      return p.roles;
    }
    TreeSet<String> out = new TreeSet<>();
    for (String r : p.roles) {
      Token t = p.tokens.get(r);
      if (t != null && !t.revoked) {
        out.add(r);
      }
    }
    return out;
  }

  private String allow(Action.Connect c, Device d, Paired p, String role, Set<String> req, Pin pin) {
    Token t = p.tokens.get(role);
    Token token;
    boolean issued;
    if (t != null && !t.revoked && allows(role, req, t.scopes) && allows(role, t.scopes, p.baseline)) {
      token = t;
      issued = false;
    } else {
      boolean fresh = t == null || t.revoked;
      TreeSet<String> kept = new TreeSet<>();
      if (!fresh) {
        for (String s : t.scopes) {
          if (implies(role, s, p.baseline)) {
            kept.add(s);
          }
        }
      }
      token = new Token(union(kept, req), fresh ? newSecret() : t.secret, false);
      issued = true;
    }
    Map<String, Token> tokens = new TreeMap<>(p.tokens);
    tokens.put(role, token);
    String platform = pin == Pin.REFRESH ? c.client().platform() : p.pinPlatform;
    String family = pin == Pin.REFRESH ? c.client().deviceFamily() : p.pinFamily;
    d.paired = new Paired(p.roles, p.baseline, platform, family, tokens, p.createdAt, p.approvedAt);
    held.put(c.device() + ":" + role, token.secret);
    return "allowed role=" + role + " scopes=" + req + " token=" + token.scopes + " secret="
        + token.secret + " issued=" + issued;
  }

  private String requirePairing(Action.Connect c, Device d, @Nullable Paired paired, String role,
      Set<String> req, String reason) {
    List<Tomb> resolved = new ArrayList<>(d.resolved);
    Pending p = d.pending;
    if (p != null && now >= p.expiresAt) {
      resolved.add(new Tomb(p.id, "expired", "", now));
      p = null;
    }
    Pending next;
    String change;
    if (p != null && p.roles.contains(role) && allows(role, req, p.scopes)
        && norm(p.client.platform()).equals(norm(c.client().platform()))
        && norm(p.client.deviceFamily()).equals(norm(c.client().deviceFamily()))) {
      if (now < p.refreshedAt + cfg.pendingTtlMs / 10) {
        return pairingRequired(paired, role, req, reason, p, "unchanged");
      }
      next = new Pending(p.id, p.role, p.roles, p.scopes, p.client, p.createdAt, now,
          now + cfg.pendingTtlMs, p.repair, p.reason);
      change = "refreshed";
    } else {
      String id = "r" + nextRequest++;
      minted.add(id);
      Set<String> roles = union(List.of(role), p == null ? List.of() : p.roles);
      Set<String> scopes = union(req, p == null ? List.of() : p.scopes);
      boolean repair = paired != null || (p != null && p.repair);
      if (p != null) {
        resolved.add(new Tomb(p.id, "superseded", id, now));
        change = "superseded";
      } else {
        change = "created";
      }
      next = new Pending(id, role, roles, scopes, c.client(), now, now, now + cfg.pendingTtlMs,
          repair, reason);
    }
    d.pending = next;
    d.resolved = prune(resolved);
    return pairingRequired(paired, role, req, reason, next, change);
  }

  private String pairingRequired(@Nullable Paired paired, String role, Set<String> req,
      String reason, Pending pending, String change) {
    long pendingFor = Math.max(0, now - pending.createdAt);
    long retryAfter = Math.min(30_000, Math.max(1_000, pendingFor / 10));
    return "pairing-required reason=" + reason + " request=" + pending.id + " change=" + change
        + " approvedRoles=" + (paired == null ? List.of() : paired.roles)
        + " approvedScopes=" + (paired == null ? "null" : paired.baseline)
        + " missing=" + (paired == null ? req : missing(role, req, paired.baseline))
        + " retryAfterMs=" + retryAfter;
  }

  private @Nullable Device holding(String id) {
    for (Device d : devices) {
      if (d.pending != null && d.pending.id.equals(id)) {
        return d;
      }
      for (Tomb t : d.resolved) {
        if (t.id.equals(id)) {
          return d;
        }
      }
    }
    return null;
  }

  private static Tomb tomb(Device d, String id) {
    for (Tomb t : d.resolved) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    throw new IllegalStateException("model lost tombstone " + id);
  }

  private static String afterResolution(Device d, Tomb t) {
    switch (t.outcome) {
      case "superseded":
        return "error superseded successor=" + (d.pending != null ? d.pending.id : t.successor);
      case "expired":
        return "error expired";
      default:
        return "error unknown-request";
    }
  }

  /** Approves {@code id} (null: an id nobody minted) as an approver holding {@code held}. */
  String approve(@Nullable String id, Set<String> approver) {
    Device d = id == null ? null : holding(id);
    if (d == null) {
      return "error unknown-request";
    }
    Pending p = d.pending;
    if (p == null || !p.id.equals(id)) {
      Tomb t = tomb(d, id);
      if (t.outcome.equals("approved") && d.paired != null) {
        return "approved " + id + " already=true addedRoles=[] addedScopes=[]";
      }
      return afterResolution(d, t);
    }
    if (now >= p.expiresAt) {
      return "error expired";
    }
    List<String> missing = new ArrayList<>();
    for (String r : p.roles) {
      if (!r.equals(OPERATOR) && !implies(OPERATOR, ADMIN, approver)) {
        missing.add(ADMIN);
        break;
      }
    }
    for (String s : missing(OPERATOR, belongingTo(OPERATOR, p.scopes), approver)) {
      if (!missing.contains(s)) {
        missing.add(s);
      }
    }
    if (!missing.isEmpty()) {
      return "error forbidden missing=" + missing;
    }
    Paired old = d.paired;
    Set<String> roles = union(p.roles, old == null ? List.of() : old.roles);
    Set<String> baseline = union(p.scopes, old == null ? List.of() : old.baseline);
    Map<String, Token> tokens = new TreeMap<>(old == null ? Map.of() : old.tokens);
    TreeSet<String> addedRoles = new TreeSet<>(p.roles);
    TreeSet<String> addedScopes = new TreeSet<>(p.scopes);
    if (old != null) {
      addedRoles.removeAll(old.roles);
      addedScopes.removeAll(old.baseline);
    }
    for (String r : p.roles) {
      Set<String> forRole = belongingTo(r, p.scopes);
      Token t = tokens.get(r);
      if (t != null && !t.revoked) {
        tokens.put(r, new Token(union(t.scopes, forRole), t.secret, false));
      } else {
        tokens.put(r, new Token(forRole, newSecret(), false));
      }
    }
    d.paired = new Paired(roles, baseline, p.client.platform(), p.client.deviceFamily(), tokens,
        old == null ? now : old.createdAt, now);
    d.pending = null;
    List<Tomb> resolved = new ArrayList<>(d.resolved);
    resolved.add(new Tomb(id, "approved", "", now));
    d.resolved = prune(resolved);
    return "approved " + id + " already=false addedRoles=" + addedRoles + " addedScopes="
        + addedScopes;
  }

  String reject(@Nullable String id) {
    Device d = id == null ? null : holding(id);
    if (d == null) {
      return "error unknown-request";
    }
    Pending p = d.pending;
    if (p == null || !p.id.equals(id)) {
      return afterResolution(d, tomb(d, id));
    }
    if (now >= p.expiresAt) {
      return "error expired";
    }
    List<Tomb> resolved = new ArrayList<>(d.resolved);
    resolved.add(new Tomb(id, "rejected", "", now));
    d.resolved = prune(resolved);
    d.pending = null;
    return "rejected-request " + id;
  }

  String rotate(int device, String role, Optional<List<String>> scopes) {
    Device d = devices[device];
    Paired p = d.paired;
    if (p == null) {
      return "error unknown-device";
    }
    if (!p.roles.contains(role)) {
      return "error unknown-role";
    }
    Token old = p.tokens.get(role);
    Set<String> target = scopes.isPresent() ? sorted(scopes.get())
        : old != null ? old.scopes : belongingTo(role, p.baseline);
    for (String s : target) {
      if (!belongs(role, s)) {
        return "error invalid-scope";
      }
    }
    if (!missing(role, target, p.baseline).isEmpty()) {
      return "error scope-outside-baseline";
    }
    Token t = new Token(target, newSecret(), false);
    Map<String, Token> tokens = new TreeMap<>(p.tokens);
    tokens.put(role, t);
    d.paired = new Paired(p.roles, p.baseline, p.pinPlatform, p.pinFamily, tokens, p.createdAt,
        p.approvedAt);
    held.put(device + ":" + role, t.secret);
    return "rotated role=" + role + " scopes=" + t.scopes + " secret=" + t.secret;
  }

  String revoke(int device, String role) {
    Device d = devices[device];
    Paired p = d.paired;
    if (p == null) {
      return "error unknown-device";
    }
    Token t = p.tokens.get(role);
    if (t == null) {
      return "error unknown-role";
    }
    if (!t.revoked) {
      Map<String, Token> tokens = new TreeMap<>(p.tokens);
      tokens.put(role, new Token(t.scopes, t.secret, true));
      d.paired = new Paired(p.roles, p.baseline, p.pinPlatform, p.pinFamily, tokens, p.createdAt,
          p.approvedAt);
    }
    return "revoked role=" + role + " scopes=" + t.scopes;
  }

  String remove(int device) {
    Device d = devices[device];
    if (d.paired == null) {
      return "error unknown-device";
    }
    d.paired = null;
    dropPending(d);
    return "removed";
  }

  String block(int device) {
    Device d = devices[device];
    if (!(d.blocked && d.pending == null)) {
      d.blocked = true;
      dropPending(d);
    }
    return "blocked";
  }

  String unblock(int device) {
    devices[device].blocked = false;
    return "unblocked";
  }

  String advance(long ms) {
    now += ms;
    return "advanced";
  }

  private void dropPending(Device d) {
    List<Tomb> resolved = new ArrayList<>(d.resolved);
    if (d.pending != null) {
      resolved.add(new Tomb(d.pending.id, "rejected", "", now));
    }
    d.pending = null;
    d.resolved = prune(resolved);
  }

  private List<Tomb> prune(List<Tomb> resolved) {
    long cutoff = now - cfg.retentionMs;
    List<Tomb> kept = new ArrayList<>();
    for (Tomb t : resolved) {
      if (t.at > cutoff) {
        kept.add(t);
      }
    }
    while (kept.size() > cfg.maxResolvedPerDevice) {
      kept.remove(0);
    }
    return kept;
  }

  private String newSecret() {
    return "t" + nextSecret++;
  }

  // ---------------------------------------------------------------------------------------------
  // visible state

  /** The listing as the service shows it: unexpired pending requests, paired devices, blocks. */
  List<View> view() {
    List<View> out = new ArrayList<>();
    for (int i = 0; i < devices.length; i++) {
      Device d = devices[i];
      PendingView pv = null;
      if (d.pending != null && now < d.pending.expiresAt) {
        Pending p = d.pending;
        pv = new PendingView(p.id, p.role, p.roles, p.scopes, p.reason, p.repair,
            p.client.platform(), p.client.deviceFamily(), p.createdAt, p.refreshedAt, p.expiresAt);
      }
      PairedView dv = null;
      if (d.paired != null) {
        Paired p = d.paired;
        Map<String, TokenView> tokens = new TreeMap<>();
        p.tokens.forEach((r, t) -> tokens.put(r, new TokenView(t.scopes, t.secret, t.revoked)));
        dv = new PairedView(p.roles, p.baseline, p.pinPlatform, p.pinFamily, tokens, p.createdAt,
            p.approvedAt);
      }
      if (pv != null || dv != null || d.blocked) {
        out.add(new View(i, pv, dv, d.blocked));
      }
    }
    return out;
  }
}
