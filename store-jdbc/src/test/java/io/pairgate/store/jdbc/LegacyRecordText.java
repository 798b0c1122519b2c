package io.pairgate.store.jdbc;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The compact {@code record_json} document of record format 2 ({@code "v":2}), exactly as the
 * previous release's writer produced it (this is that writer, kept for tests): the store no longer
 * writes it but still reads it, and tests build old rows with it.
 */
final class LegacyRecordText {
  private LegacyRecordText() {}

  static String encode(DeviceRecord r) {
    StringBuilder b = new StringBuilder(512);
    b.append("{\"v\":").append(2);
    b.append(",\"blocked\":").append(r.blocked());
    b.append(",\"paired\":");
    PairedDevice p = r.paired();
    if (p == null) {
      b.append("null");
    } else {
      writePaired(b, p);
    }
    b.append(",\"pending\":");
    PendingRequest q = r.pending();
    if (q == null) {
      b.append("null");
    } else {
      writePending(b, q);
    }
    b.append(",\"resolved\":[");
    boolean first = true;
    for (ResolvedRequest rr : r.resolved()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append('{');
      field(b, "requestId", rr.requestId().value(), true);
      field(b, "outcome", rr.outcome().wireName(), false);
      field(b, "successorRequestId", io.pairgate.RequestId.valueOrEmpty(rr.successorRequestId()), false);
      instantField(b, "resolvedAt", rr.resolvedAt());
      b.append('}');
    }
    b.append("]}");
    return b.toString();
  }

  private static void writePaired(StringBuilder b, PairedDevice p) {
    b.append('{');
    field(b, "publicKey", p.publicKey().base64Url(), true);
    b.append(",\"roles\":");
    writeRoles(b, p.roles());
    b.append(",\"approvedScopes\":");
    writeScopes(b, p.approvedScopes());
    b.append(",\"client\":");
    writeClient(b, p.client());
    field(b, "label", p.label(), false);
    b.append(",\"tokens\":{");
    boolean first = true;
    for (Map.Entry<Role, DeviceToken> e : p.tokens().entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      writeString(b, e.getKey().name());
      b.append(':');
      DeviceToken t = e.getValue();
      b.append('{');
      field(b, "role", t.role().name(), true);
      b.append(",\"scopes\":");
      writeScopes(b, t.scopes());
      b.append(",\"hash\":");
      if (t.hash() == null) {
        b.append("null");
      } else {
        writeString(b, t.hash().encoded());
      }
      instantField(b, "createdAt", t.createdAt());
      instantField(b, "rotatedAt", t.rotatedAt());
      instantField(b, "revokedAt", t.revokedAt());
      instantField(b, "lastUsedAt", t.lastUsedAt());
      b.append('}');
    }
    b.append('}');
    instantField(b, "createdAt", p.createdAt());
    instantField(b, "approvedAt", p.approvedAt());
    instantField(b, "lastSeenAt", p.lastSeenAt());
    field(b, "approvedVia", p.approvedVia(), false);
    field(b, "remoteAddress", p.remoteAddress(), false);
    field(b, "browserOrigin", p.browserOrigin(), false);
    field(b, "lastSeenReason", p.lastSeenReason(), false);
    if (p.legacyMetadata()) {
      b.append(",\"legacyMetadata\":true");
    }
    b.append('}');
  }

  private static void writePending(StringBuilder b, PendingRequest q) {
    b.append('{');
    field(b, "requestId", q.requestId().value(), true);
    field(b, "publicKey", q.publicKey().base64Url(), false);
    field(b, "role", q.role().name(), false);
    b.append(",\"roles\":");
    writeRoles(b, q.roles());
    b.append(",\"scopes\":");
    writeScopes(b, q.scopes());
    b.append(",\"client\":");
    writeClient(b, q.client());
    field(b, "remoteAddress", q.remoteAddress(), false);
    instantField(b, "createdAt", q.createdAt());
    instantField(b, "refreshedAt", q.refreshedAt());
    instantField(b, "expiresAt", q.expiresAt());
    b.append(",\"repair\":").append(q.repair());
    field(b, "reason", q.reason().wireName(), false);
    field(b, "browserOrigin", q.browserOrigin(), false);
    b.append('}');
  }

  private static void writeClient(StringBuilder b, ClientInfo c) {
    b.append('{');
    field(b, "clientId", c.clientId(), true);
    field(b, "clientMode", c.clientMode(), false);
    field(b, "platform", c.platform(), false);
    field(b, "deviceFamily", c.deviceFamily(), false);
    field(b, "displayName", c.displayName(), false);
    field(b, "version", c.version(), false);
    b.append('}');
  }

  private static void writeRoles(StringBuilder b, List<Role> roles) {
    b.append('[');
    for (int i = 0; i < roles.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      writeString(b, roles.get(i).name());
    }
    b.append(']');
  }

  private static void writeScopes(StringBuilder b, ScopeSet scopes) {
    b.append('[');
    boolean first = true;
    for (Scope s : scopes) {
      if (!first) {
        b.append(',');
      }
      first = false;
      writeString(b, s.value());
    }
    b.append(']');
  }

  private static void field(StringBuilder b, String name, String value, boolean first) {
    if (!first) {
      b.append(',');
    }
    b.append('"').append(name).append("\":");
    writeString(b, value);
  }

  private static void instantField(StringBuilder b, String name, @Nullable Instant value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
    } else {
      b.append('"').append(value).append('"');
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
            .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
      }
    }
    b.append('"');
  }
}
