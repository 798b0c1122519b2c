package io.pairgate.store.json;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A device file of formatVersion 2 (epoch milliseconds), exactly as the previous release's writer
 * produced it (this is that writer, kept for tests): the store no longer writes it but still reads
 * it, and tests build old files with it.
 */
final class LegacyDeviceFile {
  private LegacyDeviceFile() {}

  static byte[] encode(DeviceRecord r) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("format", Layout.DEVICE_FORMAT);
    m.put("formatVersion", 2L);
    m.put("deviceId", r.deviceId().value());
    m.put("version", r.version());
    m.put("blocked", r.blocked());
    m.put("paired", r.paired() == null ? null : paired(r.paired()));
    m.put("pending", r.pending() == null ? null : pending(r.pending()));
    List<Object> resolved = new ArrayList<>(r.resolved().size());
    for (ResolvedRequest x : r.resolved()) {
      Map<String, @Nullable Object> e = Json.object();
      e.put("requestId", x.requestId().value());
      e.put("outcome", x.outcome().wireName());
      e.put("successorRequestId", io.pairgate.RequestId.valueOrEmpty(x.successorRequestId()));
      e.put("resolvedAtMs", Json.epochMs(x.resolvedAt()));
      resolved.add(e);
    }
    m.put("resolved", resolved);
    return Json.write(m);
  }

  private static Map<String, @Nullable Object> paired(PairedDevice p) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("publicKey", p.publicKey().base64Url());
    m.put("roles", roleNames(p.roles()));
    m.put("approvedScopes", p.approvedScopes().names());
    m.put("client", client(p.client()));
    m.put("label", p.label());
    Map<String, @Nullable Object> tokens = Json.object();
    for (Map.Entry<Role, DeviceToken> e : p.tokens().entrySet()) {
      DeviceToken t = e.getValue();
      Map<String, @Nullable Object> tm = Json.object();
      tm.put("scopes", t.scopes().names());
      tm.put("hash", t.hash() == null ? null : t.hash().encoded());
      tm.put("createdAtMs", Json.epochMs(t.createdAt()));
      tm.put("rotatedAtMs", optMs(t.rotatedAt()));
      tm.put("revokedAtMs", optMs(t.revokedAt()));
      tm.put("lastUsedAtMs", optMs(t.lastUsedAt()));
      tokens.put(e.getKey().name(), tm);
    }
    m.put("tokens", tokens);
    m.put("createdAtMs", Json.epochMs(p.createdAt()));
    m.put("approvedAtMs", Json.epochMs(p.approvedAt()));
    m.put("lastSeenAtMs", optMs(p.lastSeenAt()));
    m.put("approvedVia", p.approvedVia());
    m.put("remoteAddress", p.remoteAddress());
    m.put("browserOrigin", p.browserOrigin());
    m.put("lastSeenReason", p.lastSeenReason());
    if (p.legacyMetadata()) {
      m.put("legacyMetadata", true);
    }
    return m;
  }

  private static Map<String, @Nullable Object> pending(PendingRequest p) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("requestId", p.requestId().value());
    m.put("publicKey", p.publicKey().base64Url());
    m.put("role", p.role().name());
    m.put("roles", roleNames(p.roles()));
    m.put("scopes", p.scopes().names());
    m.put("client", client(p.client()));
    m.put("remoteAddress", p.remoteAddress());
    m.put("createdAtMs", Json.epochMs(p.createdAt()));
    m.put("refreshedAtMs", Json.epochMs(p.refreshedAt()));
    m.put("expiresAtMs", Json.epochMs(p.expiresAt()));
    m.put("repair", p.repair());
    m.put("reason", p.reason().wireName());
    m.put("browserOrigin", p.browserOrigin());
    return m;
  }

  private static Map<String, @Nullable Object> client(ClientInfo c) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("clientId", c.clientId());
    m.put("clientMode", c.clientMode());
    m.put("platform", c.platform());
    m.put("deviceFamily", c.deviceFamily());
    m.put("displayName", c.displayName());
    m.put("version", c.version());
    return m;
  }

  private static List<String> roleNames(List<Role> roles) {
    List<String> out = new ArrayList<>(roles.size());
    for (Role r : roles) {
      out.add(r.name());
    }
    return out;
  }

  private static @Nullable Object optMs(@Nullable Instant t) {
    return t == null ? null : Json.epochMs(t);
  }
}
