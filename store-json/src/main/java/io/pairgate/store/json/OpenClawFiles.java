package io.pairgate.store.json;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Moves pairings between OpenClaw's JSON files ({@code <stateDir>/devices/paired.json} and
 * {@code pending.json}, OpenClaw releases up to mid-2026) and any {@link PairingStore}.
 *
 * <p>{@link #importInto} reads both files as every OpenClaw era wrote them: legacy paired records
 * without {@code roles}/{@code scopes} (OpenClaw #21447), {@code approvedScopes} baselines, token
 * maps with {@code createdAtMs}/{@code rotatedAtMs}/{@code revokedAtMs}/{@code lastUsedAtMs},
 * several pending requests per device (the newest is kept, the others are remembered as
 * superseded by it), and {@code []} files (OpenClaw #63035). Imported devices get
 * {@code approvedVia = "import"}. Entries that cannot be imported are skipped and reported; a
 * file that is not JSON fails the whole import before anything is written.
 *
 * <p>{@link #exportFrom} writes the same two files in the same shapes (Era C, plus Era D's
 * {@code lastSeenAtMs}, {@code operatorLabel} and {@code refreshedAtMs}), so a store can be moved
 * back or inspected with OpenClaw's tools. Times are whole epoch milliseconds.
 */
public final class OpenClawFiles {
  /** OpenClaw's paired-device file name. */
  public static final String PAIRED_FILE = "paired.json";
  /** OpenClaw's pending-request file name. */
  public static final String PENDING_FILE = "pending.json";
  /** OpenClaw's pending-request lifetime, used for imported requests by default. */
  public static final Duration DEFAULT_PENDING_TTL = Duration.ofMinutes(5);
  /** The {@link PairedDevice#approvedVia()} of every imported device. */
  public static final String APPROVED_VIA_IMPORT = "import";

  private OpenClawFiles() {}

  /**
   * What an import did.
   *
   * @param imported the devices written to the store, sorted
   * @param pairedCount paired records imported
   * @param pendingCount pending requests imported (one per device at most)
   * @param skipped entries not imported, each {@code "<file> <key>: <reason>"}
   * @param warnings entries imported with an adjustment, each {@code "<file> <key>: <what>"}
   */
  public record ImportReport(
      List<DeviceId> imported, int pairedCount, int pendingCount, List<String> skipped,
      List<String> warnings) {
    /** Copies the lists. */
    public ImportReport {
      imported = List.copyOf(imported);
      skipped = List.copyOf(skipped);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * What an export wrote.
   *
   * @param pairedFile the paired-device file
   * @param pendingFile the pending-request file
   * @param pairedCount paired devices written
   * @param pendingCount pending requests written
   * @param notExported state OpenClaw's files cannot hold (block flags, remembered request ids),
   *     each {@code "<deviceId>: <what>"}
   */
  public record ExportReport(
      Path pairedFile, Path pendingFile, int pairedCount, int pendingCount,
      List<String> notExported) {
    /** Copies the list. */
    public ExportReport {
      notExported = List.copyOf(notExported);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // import

  /** {@link #importInto(PairingStore, Path, Duration)} with OpenClaw's 5-minute pending TTL. */
  public static ImportReport importInto(PairingStore store, Path devicesDir) {
    return importInto(store, devicesDir, DEFAULT_PENDING_TTL);
  }

  /**
   * Imports {@code devicesDir/paired.json} and {@code devicesDir/pending.json} (either may be
   * missing) into {@code store}. Devices the store already holds are skipped (reported), never
   * merged or overwritten. Imported pending requests expire {@code pendingTtl} after their
   * {@code refreshedAtMs} (or {@code ts}), as in OpenClaw.
   *
   * @throws StoreCorruptException naming the file if a file is not JSON or not an object (nothing
   *     is imported then)
   * @throws StoreException if reading a file or writing the store fails
   */
  public static ImportReport importInto(PairingStore store, Path devicesDir, Duration pendingTtl) {
    Objects.requireNonNull(store, "store");
    if (pendingTtl.isNegative() || pendingTtl.isZero()) {
      throw new PairgateException(io.pairgate.ErrorCode.INVALID_ARGUMENT,
          "pendingTtl must be positive, was " + pendingTtl);
    }
    Path pairedFile = devicesDir.resolve(PAIRED_FILE);
    Path pendingFile = devicesDir.resolve(PENDING_FILE);
    RecordFile pairedRead = readRecordFile(pairedFile);
    RecordFile pendingRead = readRecordFile(pendingFile);
    List<String> skipped = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (RecordFile f : List.of(pairedRead, pendingRead)) {
      if (f.emptyArray()) {
        warnings.add(f.file() + ": an array, read as an empty object (OpenClaw #63035)");
      }
    }
    List<Map.Entry<String, JsonNode>> pairedEntries = pairedRead.entries();
    List<Map.Entry<String, JsonNode>> pendingEntries = pendingRead.entries();

    Map<DeviceId, PairedDevice> paired = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : pairedEntries) {
      String where = pairedFile.getFileName() + " " + Json.excerpt(e.getKey());
      try {
        PairedDevice p = paired(e.getKey(), Json.Obj.of(e.getValue(), ""), where, warnings);
        if (paired.put(p.deviceId(), p) != null) {
          skipped.add(where + ": a second record of device " + p.deviceId());
        }
      } catch (Json.SchemaViolation | PairgateException | IllegalArgumentException ex) {
        skipped.add(where + ": " + Json.redactQuoted(String.valueOf(ex.getMessage())));
      }
    }

    Map<DeviceId, List<PendingRequest>> pending = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : pendingEntries) {
      String where = pendingFile.getFileName() + " " + Json.excerpt(e.getKey());
      try {
        PendingRequest p = pending(e.getKey(), Json.Obj.of(e.getValue(), ""), pendingTtl, paired,
            where, warnings);
        pending.computeIfAbsent(p.deviceId(), k -> new ArrayList<>()).add(p);
      } catch (Json.SchemaViolation | PairgateException | IllegalArgumentException ex) {
        skipped.add(where + ": " + Json.redactQuoted(String.valueOf(ex.getMessage())));
      }
    }

    TreeSet<DeviceId> ids = new TreeSet<>(paired.keySet());
    ids.addAll(pending.keySet());
    List<DeviceId> imported = new ArrayList<>();
    int pairedCount = 0;
    int pendingCount = 0;
    for (DeviceId id : ids) {
      PairedDevice p = paired.get(id);
      List<PendingRequest> ps = pending.getOrDefault(id, List.of());
      PendingRequest newest = null;
      List<ResolvedRequest> superseded = new ArrayList<>();
      if (!ps.isEmpty()) {
        List<PendingRequest> sorted = new ArrayList<>(ps);
        sorted.sort(Comparator.comparing(PendingRequest::refreshedAt)
            .thenComparing(PendingRequest::createdAt)
            .thenComparing(PendingRequest::requestId));
        newest = sorted.get(sorted.size() - 1);
        for (PendingRequest old : sorted.subList(0, sorted.size() - 1)) {
          superseded.add(new ResolvedRequest(old.requestId(), ResolvedRequest.Outcome.SUPERSEDED,
              newest.requestId(), newest.refreshedAt()));
          warnings.add(PENDING_FILE + " " + Json.excerpt(old.requestId()) + ": device " + id
              + " has a newer pending request " + Json.excerpt(newest.requestId())
              + "; imported as superseded by it");
        }
      }
      DeviceRecord rec = new DeviceRecord(id, 1, p, newest, false, superseded);
      if (store.load(id).isPresent()) {
        skipped.add("device " + id + ": already in the store (not merged)");
        continue;
      }
      if (!store.compareAndSet(0, rec)) {
        skipped.add("device " + id + ": created in the store concurrently (not merged)");
        continue;
      }
      imported.add(id);
      pairedCount += p == null ? 0 : 1;
      pendingCount += newest == null ? 0 : 1;
    }
    return new ImportReport(imported, pairedCount, pendingCount, skipped, warnings);
  }

  /** The entries of one OpenClaw file, and whether it was the {@code []} of OpenClaw #63035. */
  private record RecordFile(Path file, List<Map.Entry<String, JsonNode>> entries,
      boolean emptyArray) {}

  /** The entries of an OpenClaw record file; none if the file is missing. */
  private static RecordFile readRecordFile(Path file) {
    byte[] bytes;
    try {
      bytes = Fs.readIfExists(file);
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e, true, e);
    }
    if (bytes == null) {
      return new RecordFile(file, List.of(), false);
    }
    JsonNode root;
    try {
      root = Json.parse(bytes);
    } catch (Json.ParseFailure e) {
      throw new StoreCorruptException(file.toString(), e.getMessage(), e);
    }
    if (root.isArray()) {
      if (root.isEmpty()) {
        return new RecordFile(file, List.of(), true);
      }
      throw new StoreCorruptException(file.toString(), "a non-empty array; OpenClaw writes an "
          + "object keyed by " + (file.endsWith(PAIRED_FILE) ? "deviceId" : "requestId"));
    }
    if (!root.isObject()) {
      throw new StoreCorruptException(file.toString(), "expected an object, found "
          + Json.kind(root));
    }
    return new RecordFile(file, Json.Obj.of(root, "").entries(), false);
  }

  private static PairedDevice paired(String key, Json.Obj o, String where, List<String> warnings) {
    String idText = o.optString("deviceId");
    if (idText != null && !idText.trim().equals(key)) {
      throw new Json.SchemaViolation("deviceId " + Json.excerpt(idText) + " differs from its key");
    }
    DeviceId id = deviceId(key);
    DevicePublicKey key1 = publicKey(o, id);
    List<String> roleNames = o.optStrings("roles");
    List<String> scopeNames = o.optStrings("scopes");
    List<String> approvedNames = o.optStrings("approvedScopes");
    String role = o.optString("role");
    boolean legacy = roleNames == null && scopeNames == null && approvedNames == null;

    Instant createdAt = o.optInstant("createdAtMs");
    Instant approvedAt = o.optInstant("approvedAtMs");
    if (createdAt == null && approvedAt == null) {
      throw new Json.SchemaViolation("neither createdAtMs nor approvedAtMs is set");
    }
    if (createdAt == null || approvedAt == null) {
      warnings.add(where + ": " + (createdAt == null ? "createdAtMs" : "approvedAtMs")
          + " missing; the other time is used");
      createdAt = createdAt == null ? approvedAt : createdAt;
      approvedAt = approvedAt == null ? createdAt : approvedAt;
    }

    Map<Role, DeviceToken> tokens = new TreeMap<>();
    Json.Obj to = o.optObject("tokens");
    if (to != null) {
      for (Map.Entry<String, JsonNode> e : to.entries()) {
        Role r = RecordCodec.parse("tokens." + Json.excerpt(e.getKey()), () -> Role.of(e.getKey()));
        Json.Obj t = Json.Obj.of(e.getValue(), to.at(e.getKey()));
        String secret = t.optString("token");
        if (secret == null || secret.isEmpty()) {
          warnings.add(where + ": token for role " + r + " has no secret; dropped");
          continue;
        }
        String tokenRole = t.optString("role");
        if (tokenRole != null && !tokenRole.equals(r.name())) {
          warnings.add(where + ": token keyed " + Json.excerpt(r.name()) + " says role "
              + Json.excerpt(tokenRole)
              + "; the key is used");
        }
        List<String> ts = t.optStrings("scopes");
        ScopeSet scopes = ts == null ? ScopeSet.empty()
            : RecordCodec.parse(t.at("scopes"), () -> ScopeSet.parse(ts));
        Instant tc = t.optInstant("createdAtMs");
        tokens.put(r, new DeviceToken(r, scopes, secret, tc == null ? createdAt : tc,
            t.optInstant("rotatedAtMs"), t.optInstant("revokedAtMs"),
            t.optInstant("lastUsedAtMs")));
      }
    }

    TreeSet<Role> roles = new TreeSet<>();
    if (roleNames != null) {
      for (String n : roleNames) {
        roles.add(RecordCodec.parse("roles", () -> Role.of(n)));
      }
    }
    if (role != null && !role.isEmpty()) {
      roles.add(RecordCodec.parse("role", () -> Role.of(role)));
    }
    ScopeSet baseline;
    if (legacy) {
      roles.addAll(tokens.keySet());
      if (roles.isEmpty()) {
        roles.add(Role.OPERATOR);
      }
      baseline = ScopeSet.empty();
      for (DeviceToken t : tokens.values()) {
        if (!t.isRevoked()) {
          baseline = baseline.union(t.scopes());
        }
      }
      warnings.add(where + ": legacy record without roles/scopes (OpenClaw #21447); roles "
          + roles + " and baseline [" + baseline + "] taken from its role and tokens");
    } else {
      if (roles.isEmpty()) {
        roles.addAll(tokens.keySet());
        if (roles.isEmpty()) {
          roles.add(Role.OPERATOR);
        }
        warnings.add(where + ": no roles; using " + roles);
      }
      List<String> base = approvedNames != null && !approvedNames.isEmpty()
          ? approvedNames : scopeNames != null ? scopeNames : List.of();
      baseline = RecordCodec.parse(approvedNames != null && !approvedNames.isEmpty()
          ? "approvedScopes" : "scopes", () -> ScopeSet.parse(base));
    }
    ClientInfo client = client(o);
    String label = orEmpty(o.optString("operatorLabel"));
    // only a record from before roles/scopes (and metadata pinning) existed is marked legacy: its
    // empty platform or device family is backfilled by the next connect (R4.7)
    return new PairedDevice(id, key1, new ArrayList<>(roles), baseline, client, label, tokens,
        createdAt, approvedAt, o.optInstant("lastSeenAtMs"), APPROVED_VIA_IMPORT,
        orEmpty(o.optString("remoteIp")), legacy);
  }

  private static PendingRequest pending(String key, Json.Obj o, Duration ttl,
      Map<DeviceId, PairedDevice> paired, String where, List<String> warnings) {
    String rid = o.optString("requestId");
    if (rid != null && !rid.equals(key)) {
      throw new Json.SchemaViolation("requestId " + Json.excerpt(rid) + " differs from its key");
    }
    if (key.isEmpty()) {
      throw new Json.SchemaViolation("empty request id");
    }
    String idText = o.optString("deviceId");
    if (idText == null) {
      throw new Json.SchemaViolation("deviceId: required field is missing");
    }
    DeviceId id = deviceId(idText.trim());
    DevicePublicKey pk = publicKey(o, id);
    List<String> roleNames = o.optStrings("roles");
    String roleText = o.optString("role");
    Role role = roleText != null && !roleText.isEmpty()
        ? RecordCodec.parse("role", () -> Role.of(roleText))
        : roleNames != null && !roleNames.isEmpty()
            ? RecordCodec.parse("roles", () -> Role.of(roleNames.get(0))) : Role.OPERATOR;
    TreeSet<Role> roles = new TreeSet<>();
    roles.add(role);
    if (roleNames != null) {
      for (String n : roleNames) {
        roles.add(RecordCodec.parse("roles", () -> Role.of(n)));
      }
    }
    List<String> sn = o.optStrings("scopes");
    ScopeSet scopes = sn == null ? ScopeSet.empty()
        : RecordCodec.parse("scopes", () -> ScopeSet.parse(sn));
    Instant ts = o.optInstant("ts");
    if (ts == null) {
      throw new Json.SchemaViolation("ts: required field is missing");
    }
    Instant refreshed = o.optInstant("refreshedAtMs");
    if (refreshed == null || refreshed.isBefore(ts)) {
      refreshed = ts;
    }
    ClientInfo client = client(o);
    PairedDevice p = paired.get(id);
    boolean keyMatches = p != null && p.publicKey().equals(pk);
    Boolean repairFlag = o.optBool("isRepair");
    boolean repair = repairFlag != null ? repairFlag : p != null;
    UpgradeReason reason;
    if (!keyMatches) {
      reason = UpgradeReason.NOT_PAIRED;
    } else if (!ClientInfo.normalizeMetadata(p.client().platform())
            .equals(client.normalizedPlatform())
        || !ClientInfo.normalizeMetadata(p.client().deviceFamily())
            .equals(client.normalizedDeviceFamily())) {
      reason = UpgradeReason.METADATA_UPGRADE;
    } else if (!p.effectiveRoles().containsAll(roles)) {
      reason = UpgradeReason.ROLE_UPGRADE;
    } else {
      reason = UpgradeReason.SCOPE_UPGRADE;
    }
    if (Boolean.TRUE.equals(o.optBool("silent"))) {
      warnings.add(where + ": \"silent\" is not imported; an operator must approve the request");
    }
    return new PendingRequest(key, id, pk, role, new ArrayList<>(roles), scopes, client,
        orEmpty(o.optString("remoteIp")), ts, refreshed, refreshed.plus(ttl), repair, reason);
  }

  private static DeviceId deviceId(String text) {
    if (!DeviceId.isWellFormed(text)) {
      throw new Json.SchemaViolation("deviceId " + abbreviate(text)
          + " is not 64 lowercase hex digits");
    }
    return DeviceId.parse(text);
  }

  private static DevicePublicKey publicKey(Json.Obj o, DeviceId id) {
    String text = o.optString("publicKey");
    if (text == null) {
      throw new Json.SchemaViolation("publicKey: required field is missing");
    }
    DevicePublicKey pk = RecordCodec.parse("publicKey", () -> DevicePublicKey.parse(text));
    if (!pk.deviceId().equals(id)) {
      throw new Json.SchemaViolation("publicKey derives device id " + pk.deviceId()
          + ", not " + id);
    }
    return pk;
  }

  private static ClientInfo client(Json.Obj o) {
    return new ClientInfo(orEmpty(o.optString("clientId")), orEmpty(o.optString("clientMode")),
        orEmpty(o.optString("platform")), orEmpty(o.optString("deviceFamily")),
        orEmpty(o.optString("displayName")), "");
  }

  private static String orEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }

  private static String abbreviate(String s) {
    return '"' + Json.excerpt(s) + '"';
  }

  // ---------------------------------------------------------------------------------------------
  // export

  /**
   * Writes every paired device of {@code store} to {@code devicesDir/paired.json} and every
   * pending request to {@code devicesDir/pending.json}, replacing both files durably (each
   * atomically; as in OpenClaw, not atomically as a pair). Files are mode 0600, the directory
   * 0700.
   *
   * @throws StoreException if reading the store or writing a file fails
   */
  public static ExportReport exportFrom(PairingStore store, Path devicesDir) {
    Map<String, @Nullable Object> paired = Json.object();
    Map<String, @Nullable Object> pending = Json.object();
    List<String> notExported = new ArrayList<>();
    String after = "";
    while (true) {
      List<DeviceRecord> page = store.list(after, 500);
      for (DeviceRecord r : page) {
        if (r.paired() != null) {
          paired.put(r.deviceId().value(), exportPaired(r.paired()));
        }
        if (r.pending() != null) {
          pending.put(r.pending().requestId(), exportPending(r.pending()));
        }
        if (r.blocked()) {
          notExported.add(r.deviceId() + ": blocked (OpenClaw has no block list)");
        }
        if (!r.resolved().isEmpty()) {
          notExported.add(r.deviceId() + ": " + r.resolved().size()
              + " remembered request id(s)");
        }
      }
      if (page.size() < 500) {
        break;
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
    Path pairedFile = devicesDir.resolve(PAIRED_FILE);
    Path pendingFile = devicesDir.resolve(PENDING_FILE);
    try {
      Fs.createDirectories(devicesDir);
      Fs.writeDurably(pairedFile, Json.write(paired));
      Fs.writeDurably(pendingFile, Json.write(pending));
    } catch (IOException e) {
      throw new StoreException("cannot write " + devicesDir + ": " + e, true, e);
    }
    return new ExportReport(pairedFile, pendingFile, paired.size(), pending.size(), notExported);
  }

  private static Map<String, @Nullable Object> exportPaired(PairedDevice p) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("deviceId", p.deviceId().value());
    m.put("publicKey", p.publicKey().base64Url());
    putClient(m, p.client());
    putIfSet(m, "remoteIp", p.remoteAddress());
    List<String> roles = new ArrayList<>();
    for (Role r : p.roles()) {
      roles.add(r.name());
    }
    if (!roles.isEmpty()) {
      m.put("role", roles.contains(Role.OPERATOR.name()) ? Role.OPERATOR.name() : roles.get(0));
    }
    m.put("roles", roles);
    m.put("scopes", p.approvedScopes().names());
    m.put("approvedScopes", p.approvedScopes().names());
    Map<String, @Nullable Object> tokens = Json.object();
    for (DeviceToken t : p.tokens().values()) {
      Map<String, @Nullable Object> tm = new LinkedHashMap<>();
      tm.put("token", t.secret());
      tm.put("role", t.role().name());
      tm.put("scopes", t.scopes().names());
      tm.put("createdAtMs", Json.epochMsTruncated(t.createdAt()));
      putMs(tm, "rotatedAtMs", t.rotatedAt());
      putMs(tm, "revokedAtMs", t.revokedAt());
      putMs(tm, "lastUsedAtMs", t.lastUsedAt());
      tokens.put(t.role().name(), new TreeMap<>(tm));
    }
    m.put("tokens", tokens);
    m.put("createdAtMs", Json.epochMsTruncated(p.createdAt()));
    m.put("approvedAtMs", Json.epochMsTruncated(p.approvedAt()));
    putMs(m, "lastSeenAtMs", p.lastSeenAt());
    putIfSet(m, "operatorLabel", p.label());
    return m;
  }

  private static Map<String, @Nullable Object> exportPending(PendingRequest p) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("requestId", p.requestId());
    m.put("deviceId", p.deviceId().value());
    m.put("publicKey", p.publicKey().base64Url());
    putClient(m, p.client());
    m.put("role", p.role().name());
    List<String> roles = new ArrayList<>();
    for (Role r : p.roles()) {
      roles.add(r.name());
    }
    m.put("roles", roles);
    m.put("scopes", p.scopes().names());
    putIfSet(m, "remoteIp", p.remoteAddress());
    m.put("isRepair", p.repair());
    m.put("ts", Json.epochMsTruncated(p.createdAt()));
    if (!p.refreshedAt().equals(p.createdAt())) {
      m.put("refreshedAtMs", Json.epochMsTruncated(p.refreshedAt()));
    }
    return m;
  }

  private static void putClient(Map<String, @Nullable Object> m, ClientInfo c) {
    putIfSet(m, "displayName", c.displayName());
    putIfSet(m, "platform", c.platform());
    putIfSet(m, "clientId", c.clientId());
    putIfSet(m, "clientMode", c.clientMode());
    putIfSet(m, "deviceFamily", c.deviceFamily());
  }

  private static void putIfSet(Map<String, @Nullable Object> m, String k, String v) {
    if (!v.isEmpty()) {
      m.put(k, v);
    }
  }

  private static void putMs(Map<String, @Nullable Object> m, String k, @Nullable Instant t) {
    if (t != null) {
      m.put(k, Json.epochMsTruncated(t));
    }
  }
}
