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
import io.pairgate.internal.json.JsonException;
import io.pairgate.internal.json.JsonReader;
import io.pairgate.internal.json.RecordJson;
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
 * empty and null values). A device file is core's shared record document ({@link RecordJson},
 * formatVersion {@value RecordJson#FORMAT_VERSION}, the same bytes store-jdbc writes), read by
 * core's {@link JsonReader}; files of formatVersion 1 and 2 (epoch milliseconds) are still read,
 * with Jackson. Reading is strict: a missing, unknown or malformed field is a
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

  /** The shared record document ({@link RecordJson}, format {@value RecordJson#FORMAT_VERSION}). */
  static byte[] encode(DeviceRecord r) {
    return RecordJson.encodeBytes(r);
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
    Object tree;
    try {
      tree = JsonReader.parse(bytes);
    } catch (JsonException e) {
      throw new StoreCorruptException(file, e.getMessage(),
          new Json.ParseFailure(e.getMessage(), e.truncated(), null));
    }
    if (!(tree instanceof Map<?, ?> m) || !Long.valueOf(RecordJson.FORMAT_VERSION)
        .equals(m.get("formatVersion")) || !Layout.DEVICE_FORMAT.equals(m.get("format"))) {
      return decodeOlder(bytes, file, expectedId);
    }
    try {
      RecordJson.Obj o = RecordJson.Obj.of(tree, "");
      String id = o.string("deviceId");
      if (expectedId != null && !expectedId.equals(id)) {
        DeviceId other = RecordJson.model("deviceId", () -> DeviceId.parse(id));
        throw new Misplaced("deviceId: misplaced: the file holds device " + other.value()
            + " but its name says " + expectedId);
      }
      DeviceRecord r = RecordJson.read(tree);
      if (r.isEmpty()) {
        throw new Json.SchemaViolation("paired, pending, blocked, resolved: the record is empty "
            + "(the store deletes empty records instead of writing them)");
      }
      return r;
    } catch (Json.SchemaViolation e) {
      throw new StoreCorruptException(file, "schema violation at " + e.getMessage(), e);
    } catch (RecordJson.Invalid e) {
      throw new StoreCorruptException(file, "schema violation at " + e.getMessage(),
          new Json.SchemaViolation(e.getMessage()));
    }
  }

  /**
   * Reads a device file of formatVersion 1 or 2 (epoch milliseconds), or reports what is wrong
   * with any file that is not of the current format (a newer or other format, a malformed
   * header).
   */
  private static DeviceRecord decodeOlder(byte[] bytes, String file, @Nullable String expectedId) {
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
