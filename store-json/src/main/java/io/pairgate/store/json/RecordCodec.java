package io.pairgate.store.json;

import io.pairgate.RequestId;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.TokenHash;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreCorruptException;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Device files: {@link DeviceRecord} to JSON and back, exactly (every field, nanosecond instants,
 * empty and null values). Reading is strict: a missing, unknown or malformed field is a
 * {@link StoreCorruptException} naming the file and the JSON path.
 */
final class RecordCodec {
  private static final Set<String> TOP = Set.of(
      "format", "formatVersion", "deviceId", "version", "blocked", "paired", "pending", "resolved");
  private static final Set<String> PAIRED = Set.of(
      "publicKey", "roles", "approvedScopes", "client", "label", "tokens", "createdAtMs",
      "approvedAtMs", "lastSeenAtMs", "approvedVia", "remoteAddress", "browserOrigin",
      "lastSeenReason", "legacyMetadata");
  private static final Set<String> TOKEN = Set.of(
      "scopes", "hash", "createdAtMs", "rotatedAtMs", "revokedAtMs", "lastUsedAtMs");
  /** formatVersion 1: the plaintext secret instead of its hash (upgraded on open). */
  private static final Set<String> TOKEN_V1 = Set.of(
      "scopes", "secret", "createdAtMs", "rotatedAtMs", "revokedAtMs", "lastUsedAtMs");
  private static final Set<String> CLIENT = Set.of(
      "clientId", "clientMode", "platform", "deviceFamily", "displayName", "version");
  private static final Set<String> PENDING = Set.of(
      "requestId", "publicKey", "role", "roles", "scopes", "client", "remoteAddress",
      "createdAtMs", "refreshedAtMs", "expiresAtMs", "repair", "reason", "browserOrigin");
  private static final Set<String> RESOLVED = Set.of(
      "requestId", "outcome", "successorRequestId", "resolvedAtMs");

  private RecordCodec() {}

  /** A device file whose content belongs to another device. */
  static final class Misplaced extends Json.SchemaViolation {
    private static final long serialVersionUID = 1L;

    Misplaced(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // encode

  static byte[] encode(DeviceRecord r) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("format", Layout.DEVICE_FORMAT);
    m.put("formatVersion", Layout.FORMAT_VERSION);
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
      e.put("successorRequestId", RequestId.valueOrEmpty(x.successorRequestId()));
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

  // ---------------------------------------------------------------------------------------------
  // decode

  /**
   * Reads a device file.
   *
   * @param file for error messages
   * @param expectedId the id the file name claims, or {@code null} not to check
   * @throws StoreCorruptException if the content is truncated, unparsable or violates the schema
   * @throws StoreFormatException if it was written by a newer Pairgate
   */
  static DeviceRecord decode(byte[] bytes, String file, @Nullable String expectedId) {
    JsonNode root;
    try {
      root = Json.parse(bytes);
    } catch (Json.ParseFailure e) {
      throw new StoreCorruptException(file, e.getMessage(), e);
    }
    try {
      Json.Obj o = Json.Obj.of(root, "");
      long formatVersion = checkFormat(o, file, Layout.DEVICE_FORMAT);
      o.only(TOP);
      String id = o.string("deviceId");
      DeviceId deviceId = parse("deviceId", () -> DeviceId.parse(id));
      if (expectedId != null && !expectedId.equals(id)) {
        throw new Misplaced("deviceId: misplaced: the file holds device " + id
            + " but its name says " + expectedId);
      }
      long version = o.integer("version");
      if (version < 1) {
        throw new Json.SchemaViolation("version: must be >= 1, found " + version);
      }
      boolean blocked = o.bool("blocked");
      Json.Obj po = o.nullableObject("paired");
      PairedDevice paired = po == null ? null : paired(po, deviceId, formatVersion);
      Json.Obj qo = o.nullableObject("pending");
      PendingRequest pending = qo == null ? null : pending(qo, deviceId, formatVersion);
      List<JsonNode> ra = o.array("resolved");
      List<ResolvedRequest> resolved = new ArrayList<>(ra.size());
      for (int i = 0; i < ra.size(); i++) {
        resolved.add(resolved(Json.Obj.of(ra.get(i), "resolved[" + i + "]")));
      }
      DeviceRecord r = new DeviceRecord(deviceId, version, paired, pending, blocked, resolved);
      if (r.isEmpty()) {
        throw new Json.SchemaViolation("paired, pending, blocked, resolved: the record is empty "
            + "(the store deletes empty records instead of writing them)");
      }
      return r;
    } catch (Json.SchemaViolation e) {
      throw new StoreCorruptException(file, "schema violation at " + e.getMessage(), e);
    } catch (StoreFormatException e) {
      throw e;
    } catch (IllegalArgumentException | PairgateException e) {
      // the model's own message may quote a value: cut like every other, and no cause (F15)
      throw new StoreCorruptException(file, "schema violation: "
          + Json.redactQuoted(String.valueOf(e.getMessage())));
    }
  }

  /**
   * The request ids and pending request of a device file, from a streaming pass that checks
   * syntax, format, version and device id but not the rest of the schema (reading the record does
   * that).
   *
   * @throws StoreCorruptException if the content is truncated, unparsable or not a device file
   *     of {@code expectedId}
   * @throws StoreFormatException if it was written by a newer Pairgate
   */
  static Json.DeviceSummary summary(byte[] bytes, String file, String expectedId) {
    try {
      Json.DeviceSummary d;
      try {
        d = Json.scanDevice(bytes);
      } catch (Json.ParseFailure e) {
        throw new StoreCorruptException(file, e.getMessage(), e);
      }
      if (d.format() == null || d.formatVersion() == Long.MIN_VALUE) {
        // let the full reader name exactly what is wrong
        decode(bytes, file, expectedId);
        throw new Json.SchemaViolation("format, formatVersion: missing or malformed");
      }
      if (!d.format().equals(Layout.DEVICE_FORMAT)) {
        throw new StoreFormatException(file, d.format(), d.formatVersion(), "format is \""
            + Json.excerpt(d.format()) + "\", expected \"" + Layout.DEVICE_FORMAT + "\"");
      }
      if (d.formatVersion() > Layout.FORMAT_VERSION) {
        throw new StoreFormatException(file, d.format(), d.formatVersion(), "formatVersion "
            + d.formatVersion() + " was written by a newer Pairgate; this version reads "
            + "formatVersion <= " + Layout.FORMAT_VERSION + " (upgrade Pairgate to open this store)");
      }
      if (d.deviceId() == null || d.version() < 1) {
        decode(bytes, file, expectedId);
        throw new Json.SchemaViolation("deviceId, version: missing or malformed");
      }
      if (!d.deviceId().equals(expectedId)) {
        throw new Misplaced("deviceId: misplaced: the file holds device " + Json.excerpt(d.deviceId())
            + " but its name says " + expectedId);
      }
      return d;
    } catch (Json.SchemaViolation e) {
      throw new StoreCorruptException(file, "schema violation at " + e.getMessage(), e);
    }
  }

  /** Checks {@code format} and {@code formatVersion} of a store file; returns the version. */
  static long checkFormat(Json.Obj o, String file, String expectedFormat) {
    String format = o.string("format");
    long fv = o.integer("formatVersion");
    if (!format.equals(expectedFormat)) {
      throw new StoreFormatException(file, format, fv, "format is \""
          + Json.excerpt(format) + "\", expected \"" + expectedFormat + "\"");
    }
    if (fv > Layout.FORMAT_VERSION) {
      throw new StoreFormatException(file, format, fv, "formatVersion " + fv
          + " was written by a newer Pairgate; this version reads formatVersion <= "
          + Layout.FORMAT_VERSION + " (upgrade Pairgate to open this store)");
    }
    if (fv < 1) {
      throw new Json.SchemaViolation("formatVersion: must be >= 1, found " + fv);
    }
    return fv;
  }

  /**
   * A string field added in formatVersion 2: required from that version on, and empty in a file
   * of formatVersion 1 (which never has it).
   */
  private static String sinceV2(Json.Obj o, String key, long formatVersion) {
    if (formatVersion >= 2) {
      return o.string(key);
    }
    if (o.optString(key) != null) {
      throw new Json.SchemaViolation(o.at(key) + ": not part of formatVersion 1");
    }
    return "";
  }

  private static PairedDevice paired(Json.Obj o, DeviceId id, long formatVersion) {
    o.only(PAIRED);
    DevicePublicKey key = key(o, "publicKey");
    List<Role> roles = roles(o, "roles");
    ScopeSet approved = scopes(o, "approvedScopes");
    ClientInfo client = client(o.object("client"));
    String label = o.string("label");
    Json.Obj to = o.object("tokens");
    Map<Role, DeviceToken> tokens = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : to.entries()) {
      String rp = to.at(Json.excerpt(e.getKey()));
      Role role = parse(rp, () -> Role.of(e.getKey()));
      boolean plaintext = formatVersion <= Layout.PLAINTEXT_TOKENS_VERSION;
      Json.Obj t = Json.Obj.of(e.getValue(), rp).only(plaintext ? TOKEN_V1 : TOKEN);
      TokenHash hash;
      if (plaintext) {
        hash = TokenHash.of(t.string("secret")); // upgraded to a hash as it is read
      } else {
        String h = t.nullableString("hash");
        hash = h == null ? null : parse(t.at("hash"), () -> TokenHash.parse(h));
      }
      tokens.put(role, new DeviceToken(role, scopes(t, "scopes"), hash,
          t.instant("createdAtMs"), t.nullableInstant("rotatedAtMs"),
          t.nullableInstant("revokedAtMs"), t.nullableInstant("lastUsedAtMs")));
    }
    Instant lastSeen = o.nullableInstant("lastSeenAtMs");
    String seenReason = sinceV2(o, "lastSeenReason", formatVersion);
    if (formatVersion < 2 && lastSeen != null) {
      seenReason = PairedDevice.SEEN_ON_CONNECT; // the only way formatVersion 1 set lastSeenAt
    }
    return new PairedDevice(id, key, roles, approved, client, label, tokens,
        o.instant("createdAtMs"), o.instant("approvedAtMs"), lastSeen,
        o.string("approvedVia"), o.string("remoteAddress"),
        sinceV2(o, "browserOrigin", formatVersion), seenReason,
        Boolean.TRUE.equals(o.optBool("legacyMetadata")));
  }

  private static PendingRequest pending(Json.Obj o, DeviceId id, long formatVersion) {
    o.only(PENDING);
    String reason = o.string("reason");
    UpgradeReason r = parse(o.at("reason"), () -> UpgradeReason.fromWireName(reason));
    if (!reason.equals(r.wireName())) {
      throw new Json.SchemaViolation(o.at("reason") + ": unknown reason \"" + Json.excerpt(reason) + "\"");
    }
    String role = o.string("role");
    String requestId = o.string("requestId");
    return new PendingRequest(parse(o.at("requestId"), () -> RequestId.of(requestId)), id, key(o, "publicKey"),
        parse(o.at("role"), () -> Role.of(role)), roles(o, "roles"), scopes(o, "scopes"),
        client(o.object("client")), o.string("remoteAddress"), o.instant("createdAtMs"),
        o.instant("refreshedAtMs"), o.instant("expiresAtMs"), o.bool("repair"), r,
        sinceV2(o, "browserOrigin", formatVersion));
  }

  private static ResolvedRequest resolved(Json.Obj o) {
    o.only(RESOLVED);
    String outcome = o.string("outcome");
    ResolvedRequest.Resolution out =
        parse(o.at("outcome"), () -> ResolvedRequest.Resolution.fromWireName(outcome));
    if (!outcome.equals(out.wireName())) {
      throw new Json.SchemaViolation(o.at("outcome") + ": unknown outcome \""
          + Json.excerpt(outcome) + "\"");
    }
    String requestId = o.string("requestId");
    String successor = o.string("successorRequestId");
    return new ResolvedRequest(parse(o.at("requestId"), () -> RequestId.of(requestId)), out,
        parse(o.at("successorRequestId"), () -> RequestId.ofEmptyAsNull(successor)),
        o.instant("resolvedAtMs"));
  }

  private static ClientInfo client(Json.Obj o) {
    o.only(CLIENT);
    return new ClientInfo(o.string("clientId"), o.string("clientMode"), o.string("platform"),
        o.string("deviceFamily"), o.string("displayName"), o.string("version"));
  }

  private static DevicePublicKey key(Json.Obj o, String k) {
    String s = o.string(k);
    DevicePublicKey key = parse(o.at(k), () -> DevicePublicKey.parse(s));
    if (!key.base64Url().equals(s)) {
      throw new Json.SchemaViolation(o.at(k) + ": not in canonical unpadded base64url form");
    }
    return key;
  }

  private static List<Role> roles(Json.Obj o, String k) {
    List<String> names = o.strings(k);
    List<Role> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      out.add(parse(o.at(k) + "[" + i + "]", () -> Role.of(n)));
    }
    return out;
  }

  private static ScopeSet scopes(Json.Obj o, String k) {
    List<String> names = o.strings(k);
    return parse(o.at(k), () -> ScopeSet.parse(names));
  }

  /** Runs a model constructor, turning its validation failure into a schema violation at path. */
  static <T> T parse(String path, java.util.function.Supplier<T> f) {
    try {
      return f.get();
    } catch (PairgateException | IllegalArgumentException e) {
      // no cause: its message quotes the value whole, and a logged stack trace would print it (F15)
      throw new Json.SchemaViolation(path + ": " + Json.redactQuoted(String.valueOf(e.getMessage())));
    }
  }
}
