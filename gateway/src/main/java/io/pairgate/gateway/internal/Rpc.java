package io.pairgate.gateway.internal;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.DeviceExplanation;
import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.ForbiddenException;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PendingRequest;
import io.pairgate.RequestExplanation;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.IssuedToken;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.StoreException;
import io.pairgate.SupersededException;
import io.pairgate.TokenSummary;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The RPCs of a connected session, each checked against the caller's scopes through core. */
final class Rpc {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.gateway");

  /** Method name → the operator scope it needs. */
  private static final Map<String, Scope> REQUIRED = Map.ofEntries(
      Map.entry("device.pair.list", Scope.OPERATOR_PAIRING),
      Map.entry("device.pair.approve", Scope.OPERATOR_PAIRING),
      Map.entry("device.pair.reject", Scope.OPERATOR_PAIRING),
      Map.entry("device.pair.remove", Scope.OPERATOR_PAIRING),
      Map.entry("device.pair.block", Scope.OPERATOR_PAIRING),
      Map.entry("device.pair.unblock", Scope.OPERATOR_PAIRING),
      Map.entry("device.token.rotate", Scope.OPERATOR_PAIRING),
      Map.entry("device.token.revoke", Scope.OPERATOR_PAIRING),
      // Pairgate extensions used by the operator console (docs/console.md)
      Map.entry("pairgate.pending", Scope.OPERATOR_PAIRING),
      Map.entry("pairgate.explain", Scope.OPERATOR_PAIRING),
      Map.entry("pairgate.rename", Scope.OPERATOR_PAIRING),
      Map.entry("pairgate.audit", Scope.OPERATOR_PAIRING),
      Map.entry("health", Scope.OPERATOR_READ),
      Map.entry("status", Scope.OPERATOR_READ));

  static final List<String> METHODS = REQUIRED.keySet().stream().sorted().toList();

  /** Thrown by a handler: an error reply. */
  private static final class Fail extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;
    final @Nullable ObjectNode details;

    Fail(String code, String message, @Nullable ObjectNode details) {
      super(message, null, false, false);
      this.code = code;
      this.details = details;
    }
  }

  private final Hub hub;
  private final Session session;

  Rpc(Hub hub, Session session) {
    this.hub = hub;
    this.session = session;
  }

  void dispatch(String id, String method, @Nullable JsonNode params) {
    Scope required = REQUIRED.get(method);
    if (required == null) {
      session.send(Wire.error(id, "INVALID_REQUEST",
          "unknown method: " + Session.cut(method, 64), null));
      return;
    }
    Role role = session.role();
    if (role == null || !role.equals(Role.OPERATOR)
        || !hub.pairing.scopePolicy().implies(Role.OPERATOR, required, session.scopes())) {
      session.send(Wire.error(id, "INVALID_REQUEST", "missing scope: " + required, null));
      return;
    }
    ObjectNode p;
    if (params == null || params.isNull()) {
      p = Wire.object();
    } else if (params instanceof ObjectNode o) {
      p = o;
    } else {
      session.send(Wire.error(id, "INVALID_REQUEST", "invalid params: must be object", null));
      return;
    }
    try {
      session.send(Wire.ok(id, call(method, p)));
    } catch (Fail f) {
      session.send(Wire.error(id, f.code, f.getMessage(), f.details));
    } catch (StoreException e) {
      LOG.warn("store failure in {}: {}", method, e.getMessage());
      ObjectNode d = Wire.object();
      d.put("code", "STORE_UNAVAILABLE");
      d.put("retryable", e.retryable());
      session.send(Wire.error(id, "UNAVAILABLE", "pairing store unavailable", d));
    } catch (PairgateException e) {
      session.send(Wire.error(id, "INVALID_REQUEST", e.getMessage(), code(e.code())));
    }
  }

  private static ObjectNode code(ErrorCode c) {
    ObjectNode d = Wire.object();
    d.put("code", c.name());
    return d;
  }

  private ObjectNode call(String method, ObjectNode p) throws Fail {
    switch (method) {
      case "device.pair.list":
        return list();
      case "device.pair.approve":
        return approve(p);
      case "device.pair.reject":
        return reject(p);
      case "device.pair.remove":
        return remove(p);
      case "device.pair.block":
        return block(p, true);
      case "device.pair.unblock":
        return block(p, false);
      case "device.token.rotate":
        return rotate(p);
      case "device.token.revoke":
        return revoke(p);
      case "pairgate.pending":
        only(p);
        return pendingWithGrants();
      case "pairgate.explain":
        return explain(p);
      case "pairgate.rename":
        return rename(p);
      case "pairgate.audit":
        return audit(p);
      case "health":
        return health();
      case "status":
        return status();
      default:
        throw new Fail("INVALID_REQUEST", "unknown method: " + method, null);
    }
  }

  private static void only(ObjectNode p, String... keys) throws Fail {
    Set<String> allowed = Set.of(keys);
    for (String k : p.propertyNames()) {
      if (!allowed.contains(k)) {
        throw new Fail("INVALID_REQUEST",
            "invalid params: unexpected property '" + Session.cut(k, 40) + "'", null);
      }
    }
  }

  private static String str(ObjectNode p, String name) throws Fail {
    JsonNode n = p.get(name);
    if (n == null || !n.isString() || n.asString().isEmpty() || n.asString().length() > 256) {
      throw new Fail("INVALID_REQUEST", "invalid params: " + name + " must be a non-empty string",
          null);
    }
    return n.asString();
  }

  /**
   * The {@code requestId} parameter as a {@link RequestId}: a string that is not one (empty,
   * longer than {@value io.pairgate.InputLimits#REQUEST_ID} characters, or a character outside
   * {@code [A-Za-z0-9_-]}) fails with {@code INVALID_REQUEST} and details code
   * {@code INVALID_ARGUMENT}, before the pairing service sees it; the message never repeats it.
   */
  private static RequestId requestId(ObjectNode p) throws Fail {
    String s = str(p, "requestId");
    if (!RequestId.isWellFormed(s)) {
      throw new Fail("INVALID_REQUEST", "invalid params: requestId must be 1 to "
          + io.pairgate.InputLimits.REQUEST_ID + " characters of [A-Za-z0-9_-]",
          code(ErrorCode.INVALID_ARGUMENT));
    }
    return RequestId.of(s);
  }

  private static DeviceId deviceId(ObjectNode p) throws Fail {
    String s = str(p, "deviceId");
    if (!DeviceId.isWellFormed(s)) {
      throw new Fail("INVALID_REQUEST", "unknown deviceId", null);
    }
    return DeviceId.parse(s);
  }

  private static Role role(ObjectNode p) throws Fail {
    try {
      return Role.of(str(p, "role"));
    } catch (PairgateException e) {
      throw new Fail("INVALID_REQUEST", "invalid params: role is not a valid role name", null);
    }
  }

  private ObjectNode list() {
    PairingListing l = hub.pairing.list();
    ObjectNode o = Wire.object();
    ArrayNode pending = o.putArray("pending");
    for (PendingRequest r : l.pending()) {
      pending.add(Wire.pending(r));
    }
    Set<DeviceId> blocked = new HashSet<>(l.blocked());
    ArrayNode paired = o.putArray("paired");
    for (PairedDeviceSummary d : l.paired()) {
      paired.add(Wire.paired(d, blocked.contains(d.deviceId())));
    }
    ArrayNode b = o.putArray("blocked");
    l.blocked().forEach(id -> b.add(id.value()));
    return o;
  }

  private ObjectNode approve(ObjectNode p) throws Fail {
    only(p, "requestId");
    RequestId requestId = requestId(p);
    if (session.silentBrowser()) {
      ObjectNode d = Wire.object();
      d.put("code", "BROWSER_NOT_APPROVER");
      throw new Fail("INVALID_REQUEST", "device pairing approval denied", d);
    }
    Approval a;
    try {
      a = hub.pairing.approve(requestId, new Approver(session.approverName(), session.scopes()));
    } catch (ForbiddenException e) {
      ObjectNode d = Wire.object();
      d.put("code", "APPROVAL_DENIED");
      ArrayNode missing = d.putArray("missingScopes");
      e.missingScopes().forEach(s -> missing.add(s.toString()));
      // the exact text: OpenClaw's CLI retries once with operator.admin on it
      throw new Fail("INVALID_REQUEST", "device pairing approval denied", d);
    } catch (SupersededException e) {
      ObjectNode d = Wire.object();
      d.put("code", "REQUEST_SUPERSEDED");
      d.put("successorRequestId", e.successorRequestId().value());
      throw new Fail("INVALID_REQUEST",
          "request superseded by " + e.successorRequestId(), d);
    } catch (PairgateException e) {
      if (e.code() == ErrorCode.UNKNOWN_REQUEST) {
        throw new Fail("INVALID_REQUEST", "unknown requestId", code(e.code()));
      }
      if (e.code() == ErrorCode.EXPIRED) {
        throw new Fail("INVALID_REQUEST", "request expired", code(e.code()));
      }
      throw e;
    }
    ObjectNode o = Wire.object();
    o.put("requestId", a.requestId().value());
    o.set("device", Wire.paired(a.device()));
    return o;
  }

  private ObjectNode reject(ObjectNode p) throws Fail {
    only(p, "requestId");
    RequestId requestId = requestId(p);
    PendingRequest r;
    try {
      r = hub.pairing.reject(requestId);
    } catch (SupersededException e) {
      throw new Fail("INVALID_REQUEST", "request superseded by " + e.successorRequestId(), null);
    } catch (PairgateException e) {
      if (e.code() == ErrorCode.UNKNOWN_REQUEST) {
        throw new Fail("INVALID_REQUEST", "unknown requestId", code(e.code()));
      }
      throw e;
    }
    ObjectNode o = Wire.object();
    o.put("requestId", r.requestId().value());
    o.put("deviceId", r.deviceId().value());
    return o;
  }

  private ObjectNode remove(ObjectNode p) throws Fail {
    only(p, "deviceId");
    DeviceId id = deviceId(p);
    try {
      hub.pairing.remove(id);
    } catch (PairgateException e) {
      if (e.code() == ErrorCode.UNKNOWN_DEVICE) {
        throw new Fail("INVALID_REQUEST", "unknown deviceId", code(e.code()));
      }
      throw e;
    }
    ObjectNode o = Wire.object();
    o.put("deviceId", id.value());
    return o;
  }

  private ObjectNode block(ObjectNode p, boolean block) throws Fail {
    only(p, "deviceId");
    DeviceId id = deviceId(p);
    if (block) {
      hub.pairing.block(id);
    } else {
      hub.pairing.unblock(id);
    }
    ObjectNode o = Wire.object();
    o.put("deviceId", id.value());
    o.put("blocked", block);
    return o;
  }

  private ObjectNode rotate(ObjectNode p) throws Fail {
    only(p, "deviceId", "role", "scopes");
    DeviceId id = deviceId(p);
    Role role = role(p);
    Optional<ScopeSet> scopes = Optional.empty();
    JsonNode s = p.get("scopes");
    if (s != null && !s.isNull()) {
      if (!s.isArray() || s.size() > 64) {
        throw new Fail("INVALID_REQUEST", "invalid params: scopes must be an array of strings",
            null);
      }
      java.util.List<String> names = new java.util.ArrayList<>();
      for (JsonNode n : s) {
        if (!n.isString()) {
          throw new Fail("INVALID_REQUEST", "invalid params: scopes must be an array of strings",
              null);
        }
        names.add(n.asString());
      }
      try {
        scopes = Optional.of(ScopeSet.parse(names));
      } catch (PairgateException e) {
        throw new Fail("INVALID_REQUEST", "device token rotation denied", code(e.code()));
      }
    }
    IssuedToken t;
    try {
      t = scopes.isPresent() ? hub.pairing.rotate(id, role, scopes.get())
          : hub.pairing.rotate(id, role);
    } catch (PairgateException e) {
      if (e instanceof StoreException) {
        throw e;
      }
      ObjectNode d = code(e.code());
      d.put("reason", e.getMessage());
      throw new Fail("INVALID_REQUEST", "device token rotation denied", d);
    }
    ObjectNode o = Wire.object();
    o.put("deviceId", id.value());
    o.put("role", role.name());
    o.set("scopes", Wire.scopes(t.scopes()));
    if (t.token().rotatedAt() != null) {
      o.put("rotatedAtMs", t.token().rotatedAt().toEpochMilli());
    }
    if (id.value().equals(session.deviceId())) {
      // the caller's own device: it needs the new secret (this connection closes next, 4001)
      o.put("token", t.secret().value());
      o.put("tokenDelivery", "direct");
    } else {
      o.put("tokenDelivery", "withheld-cross-device");
    }
    return o;
  }

  private ObjectNode revoke(ObjectNode p) throws Fail {
    only(p, "deviceId", "role");
    DeviceId id = deviceId(p);
    Role role = role(p);
    TokenSummary t;
    try {
      t = hub.pairing.revoke(id, role);
    } catch (PairgateException e) {
      if (e.code() == ErrorCode.UNKNOWN_DEVICE) {
        throw new Fail("INVALID_REQUEST", "unknown deviceId", code(e.code()));
      }
      if (e.code() == ErrorCode.UNKNOWN_ROLE) {
        throw new Fail("INVALID_REQUEST", "unknown role", code(e.code()));
      }
      throw e;
    }
    ObjectNode o = Wire.object();
    o.put("deviceId", id.value());
    o.put("role", role.name());
    if (t.revokedAt() != null) {
      o.put("revokedAtMs", t.revokedAt().toEpochMilli());
    }
    return o;
  }

  /** Every pending request with its locality and what approving it would grant. */
  private ObjectNode pendingWithGrants() {
    ObjectNode o = Wire.object();
    ArrayNode arr = o.putArray("pending");
    for (PendingRequest r : hub.pairing.list().pending()) {
      ObjectNode item = Wire.pending(r);
      String loc = hub.locality(r.requestId());
      item.put("locality", loc == null ? "" : loc);
      RequestExplanation x = hub.pairing.explainRequest(r.requestId());
      if (x.status() != RequestExplanation.State.PENDING) {
        continue; // resolved between the listing and now
      }
      item.set("grants", grants(x, r));
      arr.add(item);
    }
    return o;
  }

  /**
   * The "what approval grants" diff of a pending request, computed with core's scope relation:
   * one row per scope that is requested, implied by the request, in the baseline now or in it
   * after approval, each saying whether the request names it or only implies it, and whether the
   * device holds it now and would hold it after approval ({@code granted}, {@code implied},
   * {@code none}).
   */
  private ObjectNode grants(RequestExplanation x, PendingRequest r) {
    ScopePolicy policy = hub.pairing.scopePolicy();
    ScopeSet requested = r.scopes();
    ScopeSet now = x.approvedScopes();
    ScopeSet after = x.scopesAfterApproval();
    java.util.TreeSet<Scope> rows = new java.util.TreeSet<>();
    requested.forEach(rows::add);
    if (now != null) {
      now.forEach(rows::add);
    }
    if (after != null) {
      after.forEach(rows::add);
    }
    for (Scope s : WELL_KNOWN) {
      if (policy.implies(Role.OPERATOR, s, requested)
          || (after != null && policy.implies(Role.OPERATOR, s, after))) {
        rows.add(s);
      }
    }
    ObjectNode g = Wire.object();
    g.set("approvedRoles", Wire.roles(x.approvedRoles()));
    g.put("paired", now != null);
    g.set("rolesAfterApproval", Wire.roles(x.rolesAfterApproval()));
    g.set("addedRoles", Wire.roles(x.addedRoles()));
    g.set("addedScopes", Wire.scopes(x.addedScopes()));
    g.set("approverNeeds", Wire.scopes(x.approverNeeds()));
    g.put("replacesPairedKey", x.replacesPairedKey());
    ObjectNode tokens = g.putObject("tokenScopesAfterApproval");
    x.tokenScopesAfterApproval().forEach((role, sc) -> tokens.set(role.name(), Wire.scopes(sc)));
    ArrayNode arr = g.putArray("scopes");
    for (Scope s : rows) {
      Role role = roleOf(s);
      ObjectNode row = Wire.object();
      row.put("scope", s.toString());
      boolean req = requested.contains(s);
      row.put("requested", req);
      row.put("impliedByRequest", !req && role != null && policy.implies(role, s, requested));
      row.put("now", holding(policy, role, s, now));
      row.put("after", holding(policy, role, s, after == null ? now : after));
      arr.add(row);
    }
    g.set("lines", Wire.strings(x.lines()));
    return g;
  }

  private static final List<Scope> WELL_KNOWN = List.of(Scope.OPERATOR_ADMIN,
      Scope.OPERATOR_APPROVALS, Scope.OPERATOR_PAIRING, Scope.OPERATOR_READ,
      Scope.OPERATOR_TALK, Scope.OPERATOR_WRITE);

  private static String holding(ScopePolicy policy, @Nullable Role role, Scope s,
      @Nullable ScopeSet set) {
    if (set == null || role == null) {
      return "none";
    }
    if (set.contains(s)) {
      return "granted";
    }
    return policy.implies(role, s, set) ? "implied" : "none";
  }

  private static @Nullable Role roleOf(Scope s) {
    int dot = s.value().indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      Role r = Role.of(s.value().substring(0, dot));
      return s.belongsTo(r) ? r : null;
    } catch (PairgateException e) {
      return null;
    }
  }

  /** The explain view of a device ({@code deviceId}) or a request ({@code requestId}). */
  private ObjectNode explain(ObjectNode p) throws Fail {
    only(p, "deviceId", "requestId");
    ObjectNode o = Wire.object();
    if (p.has("deviceId") == p.has("requestId")) {
      throw new Fail("INVALID_REQUEST", "invalid params: give deviceId or requestId", null);
    }
    if (p.has("deviceId")) {
      DeviceId id = deviceId(p);
      DeviceExplanation d = hub.pairing.explainDevice(id);
      o.put("deviceId", id.value());
      o.put("known", d.known());
      o.put("blocked", d.blocked());
      o.put("paired", d.paired() != null);
      o.set("effectiveRoles", Wire.roles(d.effectiveRoles()));
      o.set("revokedRoles", Wire.roles(d.revokedRoles()));
      o.set("lines", Wire.strings(d.lines()));
    } else {
      RequestExplanation r = hub.pairing.explainRequest(requestId(p));
      o.put("requestId", r.requestId().value());
      o.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
      o.set("lines", Wire.strings(r.lines()));
    }
    return o;
  }

  /** Longest operator label accepted (characters). */
  static final int MAX_LABEL = 128;

  private ObjectNode rename(ObjectNode p) throws Fail {
    only(p, "deviceId", "label");
    DeviceId id = deviceId(p);
    JsonNode l = p.get("label");
    if (l == null || !l.isString() || l.asString().length() > MAX_LABEL
        || l.asString().codePoints().anyMatch(c -> Character.isISOControl(c)
            || Character.getType(c) == Character.FORMAT)) {
      throw new Fail("INVALID_REQUEST", "invalid params: label must be a string of at most "
          + MAX_LABEL + " characters without control or format characters", null);
    }
    PairedDeviceSummary d;
    try {
      d = hub.pairing.rename(id, l.asString().strip());
    } catch (PairgateException e) {
      if (e.code() == ErrorCode.UNKNOWN_DEVICE) {
        throw new Fail("INVALID_REQUEST", "unknown deviceId", code(e.code()));
      }
      throw e;
    }
    return Wire.paired(d, false);
  }

  /** The recent audit events of this gateway; {@code follow:true} streams new ones. */
  private ObjectNode audit(ObjectNode p) throws Fail {
    only(p, "limit", "follow");
    int limit = 50;
    JsonNode n = p.get("limit");
    if (n != null) {
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0
          || n.asInt() > Hub.AUDIT_KEEP) {
        throw new Fail("INVALID_REQUEST", "invalid params: limit must be 0.." + Hub.AUDIT_KEEP,
            null);
      }
      limit = n.asInt();
    }
    JsonNode f = p.get("follow");
    if (f != null && !f.isBoolean()) {
      throw new Fail("INVALID_REQUEST", "invalid params: follow must be a boolean", null);
    }
    if (f != null) {
      session.followAudit(f.asBoolean());
    }
    ObjectNode o = Wire.object();
    ArrayNode arr = o.putArray("events");
    hub.recentAudit(limit).forEach(e -> arr.add(Wire.audit(e)));
    o.put("following", session.followsAudit());
    return o;
  }

  private ObjectNode health() {
    ObjectNode o = Wire.object();
    o.put("ok", true);
    o.put("ts", hub.settings.clock().millis());
    return o;
  }

  private ObjectNode status() {
    ObjectNode o = Wire.object();
    o.put("ok", true);
    o.put("version", hub.settings.serverVersion());
    o.put("uptimeMs", hub.uptimeMs());
    o.put("connections", hub.connectionCount());
    return o;
  }
}
