package io.pairgate.gateway.internal;

import io.pairgate.RequestId;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.TokenSummary;
import java.time.Instant;
import java.util.Collection;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON frames and OpenClaw's payload shapes. */
public final class Wire {
  /** Strict: one JSON value per frame, duplicate keys refused. */
  public static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private Wire() {}

  /** A new empty JSON object. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** The compact JSON text of {@code node}. */
  public static String write(JsonNode node) {
    return JSON.writeValueAsString(node);
  }

  /** An event frame; {@code seq} is omitted when 0. */
  public static ObjectNode event(String name, JsonNode payload, long seq) {
    ObjectNode o = object();
    o.put("type", "event");
    o.put("event", name);
    o.set("payload", payload);
    if (seq > 0) {
      o.put("seq", seq);
    }
    return o;
  }

  /** A successful response frame. */
  public static ObjectNode ok(String id, JsonNode payload) {
    ObjectNode o = object();
    o.put("type", "res");
    o.put("id", id);
    o.put("ok", true);
    o.set("payload", payload);
    return o;
  }

  /** An error response frame; {@code details} is omitted when null. */
  public static ObjectNode error(String id, String code, String message,
      @Nullable ObjectNode details) {
    ObjectNode o = object();
    o.put("type", "res");
    o.put("id", id);
    o.put("ok", false);
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    if (details != null) {
      e.set("details", details);
    }
    return o;
  }

  static ArrayNode strings(Collection<String> values) {
    ArrayNode a = JSON.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  static ArrayNode scopes(ScopeSet s) {
    return strings(s.names());
  }

  static ArrayNode roles(Collection<Role> roles) {
    ArrayNode a = JSON.createArrayNode();
    roles.forEach(r -> a.add(r.name()));
    return a;
  }

  private static void time(ObjectNode o, String name, @Nullable Instant t) {
    if (t != null) {
      o.put(name, t.toEpochMilli());
    }
  }

  private static void client(ObjectNode o, ClientInfo c) {
    o.put("platform", c.platform());
    if (!c.deviceFamily().isEmpty()) {
      o.put("deviceFamily", c.deviceFamily());
    }
    o.put("clientId", c.clientId());
    o.put("clientMode", c.clientMode());
    if (!c.displayName().isEmpty()) {
      o.put("displayName", c.displayName());
    }
  }

  /** A pending request as {@code device.pair.list} and {@code device.pair.requested} carry it. */
  public static ObjectNode pending(PendingRequest p) {
    ObjectNode o = object();
    o.put("requestId", p.requestId().value());
    o.put("deviceId", p.deviceId().value());
    o.put("publicKey", p.publicKey().base64Url());
    client(o, p.client());
    o.put("role", p.role().name());
    o.set("roles", roles(p.roles()));
    o.set("scopes", scopes(p.scopes()));
    o.put("silent", false);
    o.put("isRepair", p.repair());
    o.put("reason", p.reason().wireName());
    o.put("ts", p.createdAt().toEpochMilli());
    o.put("expiresAtMs", p.expiresAt().toEpochMilli());
    if (!p.remoteAddress().isEmpty()) {
      o.put("remoteIp", p.remoteAddress());
    }
    if (!p.browserOrigin().isEmpty()) {
      o.put("browserOrigin", p.browserOrigin());
    }
    return o;
  }

  static ObjectNode token(TokenSummary t) {
    ObjectNode o = object();
    o.put("role", t.role().name());
    o.set("scopes", scopes(t.scopes()));
    time(o, "createdAtMs", t.createdAt());
    time(o, "rotatedAtMs", t.rotatedAt());
    time(o, "revokedAtMs", t.revokedAt());
    time(o, "lastUsedAtMs", t.lastUsedAt());
    return o;
  }

  /** A paired device (no secrets) as {@code device.pair.list} and approve replies carry it. */
  public static ObjectNode paired(PairedDeviceSummary d, boolean blocked) {
    ObjectNode o = object();
    o.put("deviceId", d.deviceId().value());
    o.put("publicKey", d.publicKey().base64Url());
    client(o, d.client());
    if (!d.label().isEmpty()) {
      o.put("operatorLabel", d.label());
    }
    o.put("role", d.roles().isEmpty() ? "" : d.roles().get(0).name());
    o.set("roles", roles(d.roles()));
    o.set("scopes", scopes(d.approvedScopes()));
    o.set("approvedScopes", scopes(d.approvedScopes()));
    time(o, "createdAtMs", d.createdAt());
    time(o, "approvedAtMs", d.approvedAt());
    time(o, "lastSeenAtMs", d.lastSeenAt());
    if (!d.lastSeenReason().isEmpty()) {
      o.put("lastSeenReason", d.lastSeenReason());
    }
    o.put("approvedVia", d.approvedVia());
    if (!d.remoteAddress().isEmpty()) {
      o.put("remoteIp", d.remoteAddress());
    }
    if (!d.browserOrigin().isEmpty()) {
      o.put("browserOrigin", d.browserOrigin());
    }
    if (blocked) {
      o.put("blocked", true);
    }
    ArrayNode tokens = o.putArray("tokens");
    d.tokens().forEach(t -> tokens.add(token(t)));
    return o;
  }

  static ObjectNode paired(PairedDevice d) {
    return paired(d.summary(), false);
  }

  static ObjectNode resolved(RequestId requestId, String deviceId, String decision, Instant at) {
    ObjectNode o = object();
    o.put("requestId", requestId.value());
    o.put("deviceId", deviceId);
    o.put("decision", decision);
    o.put("ts", at.toEpochMilli());
    return o;
  }

  /** An audit event as {@code pairgate.audit} carries it (never a secret: core's events hold none). */
  static ObjectNode audit(io.pairgate.audit.AuditEvent e) {
    ObjectNode o = object();
    o.put("type", e.type());
    o.put("ts", e.at().toEpochMilli());
    o.put("deviceId", e.deviceId());
    o.put("message", e.message());
    ObjectNode f = o.putObject("fields");
    e.fields().forEach(f::put);
    o.put("line", e.logLine());
    return o;
  }

  static String deviceIdText(DeviceId id) {
    return id.value();
  }
}
