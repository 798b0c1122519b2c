package io.pairgate.store.json;

import io.pairgate.RequestId;
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
import io.pairgate.TokenHash;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Moves pairings between OpenClaw's pairing state and any {@link PairingStore}. OpenClaw kept that
 * state in two JSON files ({@code <stateDir>/devices/paired.json} and {@code pending.json}) up to
 * 2026.6, and in the SQLite tables {@code device_pairing_paired} and
 * {@code device_pairing_pending} from 2026.9 on; both hold the same fields under different names.
 * This class reads and writes the JSON era itself; the SQLite era goes through {@link #importRows}
 * and {@link #snapshot}, whose {@link Row rows} use the JSON era's field names.
 *
 * <p>Import reads records as every OpenClaw era wrote them: legacy paired records without
 * {@code roles}/{@code scopes} (OpenClaw #21447), {@code approvedScopes} baselines, token maps
 * with {@code createdAtMs}/{@code rotatedAtMs}/{@code revokedAtMs}/{@code lastUsedAtMs}, several
 * pending requests per device (the newest is kept, the others are remembered as superseded by it),
 * {@code []} files (OpenClaw #63035), and 2026.9's {@code approvedVia}, {@code browserOrigin} and
 * {@code lastSeenReason}. A device keeps its source's {@code approvedVia} ({@code owner} becomes
 * {@code "operator"}, {@code imported} becomes {@code "import"}); a device whose source does not
 * say gets {@code "import"}.
 *
 * <p>An import is all or nothing: every row is checked first, and a row Pairgate cannot accept
 * (or a device the store already holds) is named with the reason and refuses the whole import
 * with an {@link ImportRefusedException}, unless the caller asks to skip such rows. The accepted
 * rows are then written; if a write fails, the devices written so far are deleted again before the
 * failure is thrown.
 *
 * <p>Export ({@link #exportFrom}, {@link #snapshot}) writes OpenClaw's shapes (Era C, plus Era D's
 * {@code lastSeenAtMs}, {@code operatorLabel} and {@code refreshedAtMs}, plus 2026.9's
 * {@code approvedVia}, {@code browserOrigin} and {@code lastSeenReason}) <em>without tokens</em>:
 * Pairgate keeps token secrets only as hashes at rest, so an exported device carries its approval
 * and scopes but no token (an empty token map); a role whose token was revoked is left out of the
 * approved roles and reported, since OpenClaw could not keep it revoked without a token. OpenClaw
 * mints a new token at the device's next shared-token connect
 * when it would approve that client silently (a local CLI); any other client gets a
 * {@code role-upgrade} request to approve once. A client that connects with its old device token
 * only is refused and must fall back to the shared token. Times are whole epoch milliseconds.
 */
public final class OpenClawFiles {
  /** OpenClaw's paired-device file name. */
  public static final String PAIRED_FILE = "paired.json";
  /** OpenClaw's pending-request file name. */
  public static final String PENDING_FILE = "pending.json";
  /** OpenClaw's pending-request lifetime, used for imported requests by default. */
  public static final Duration DEFAULT_PENDING_TTL = Duration.ofMinutes(5);
  /** The {@link PairedDevice#approvedVia()} of an imported device whose source does not say. */
  public static final String APPROVED_VIA_IMPORT = "import";
  /** The most rows one import accepts (paired and pending together). */
  public static final int MAX_ROWS = 1_000_000;

  private OpenClawFiles() {}

  /**
   * One record of an OpenClaw source: a paired device keyed by its device id, or a pending request
   * keyed by its request id, with OpenClaw's JSON-era field names ({@code deviceId},
   * {@code publicKey}, {@code approvedScopes}, {@code tokens}, {@code ts}, …). Values are
   * {@link String}s, {@link Long}s, {@link Boolean}s, {@link List}s and {@link Map}s of those, or
   * {@code null} (absent).
   *
   * @param key the device id (paired) or request id (pending) the source keys the record by
   * @param fields the record's fields
   */
  public record Row(String key, Map<String, @Nullable Object> fields) {
    /** Copies {@code fields}, keeping their order. */
    public Row {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /**
   * What an import did.
   *
   * @param imported the devices written to the store, sorted
   * @param pairedCount paired records imported
   * @param pendingCount pending requests imported (one per device at most)
   * @param skipped rows not imported, each {@code "<source> <key>: <reason>"}; empty unless the
   *     import was asked to skip rejected rows
   * @param warnings rows imported with an adjustment, each {@code "<source> <key>: <what>"}
   * @param dropped source fields or columns that hold data Pairgate does not keep, each
   *     {@code "<source>.<name>: <why>"} (once per name, with the number of rows that had a value)
   */
  public record ImportReport(
      List<DeviceId> imported, int pairedCount, int pendingCount, List<String> skipped,
      List<String> warnings, List<String> dropped) {
    /** Copies the lists. */
    public ImportReport {
      imported = List.copyOf(imported);
      skipped = List.copyOf(skipped);
      warnings = List.copyOf(warnings);
      dropped = List.copyOf(dropped);
    }

    /** A report without dropped fields. */
    public ImportReport(
        List<DeviceId> imported, int pairedCount, int pendingCount, List<String> skipped,
        List<String> warnings) {
      this(imported, pairedCount, pendingCount, skipped, warnings, List.of());
    }
  }

  /**
   * An import that wrote nothing because rows could not be accepted; {@link #rejected()} names
   * each one, {@code "<source> <key>: <reason>"}.
   */
  public static final class ImportRefusedException extends PairgateException {
    private static final long serialVersionUID = 1L;
    private final List<String> rejected;

    ImportRefusedException(List<String> rejected) {
      super(io.pairgate.ErrorCode.INVALID_ARGUMENT, rejected.size() + " row(s) cannot be "
          + "imported, so nothing was imported: " + String.join("; ", rejected.subList(0,
              Math.min(5, rejected.size()))) + (rejected.size() > 5 ? "; …" : ""));
      this.rejected = List.copyOf(rejected);
    }

    /** Every row that could not be accepted, with the reason. */
    public List<String> rejected() {
      return rejected;
    }
  }

  /**
   * What an export wrote.
   *
   * @param pairedFile the paired-device file
   * @param pendingFile the pending-request file
   * @param pairedCount paired devices written
   * @param pendingCount pending requests written
   * @param notExported state OpenClaw cannot hold (block flags, remembered request ids, token
   *     secrets), each {@code "<deviceId>: <what>"}
   */
  public record ExportReport(
      Path pairedFile, Path pendingFile, int pairedCount, int pendingCount,
      List<String> notExported) {
    /** Copies the list. */
    public ExportReport {
      notExported = List.copyOf(notExported);
    }
  }

  /**
   * A store's pairings in OpenClaw's shapes, ready to be written in either era's layout.
   *
   * @param paired one row per paired device, keyed by device id, sorted
   * @param pending one row per pending request, keyed by request id, in device order
   * @param notExported state OpenClaw cannot hold, each {@code "<deviceId>: <what>"}
   */
  public record Snapshot(List<Row> paired, List<Row> pending, List<String> notExported) {
    /** Copies the lists. */
    public Snapshot {
      paired = List.copyOf(paired);
      pending = List.copyOf(pending);
      notExported = List.copyOf(notExported);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // import

  /** {@link #importInto(PairingStore, Path, Duration)} with OpenClaw's 5-minute pending TTL. */
  public static ImportReport importInto(PairingStore store, Path devicesDir) {
    return importInto(store, devicesDir, DEFAULT_PENDING_TTL);
  }

  /** {@link #importInto(PairingStore, Path, Duration, boolean)} refusing on any rejected row. */
  public static ImportReport importInto(PairingStore store, Path devicesDir, Duration pendingTtl) {
    return importInto(store, devicesDir, pendingTtl, false);
  }

  /**
   * Imports {@code devicesDir/paired.json} and {@code devicesDir/pending.json} (either may be
   * missing) into {@code store}, all or nothing. Imported pending requests expire
   * {@code pendingTtl} after their {@code refreshedAtMs} (or {@code ts}), as in OpenClaw.
   *
   * @param skipRejected {@code false}: a rejected row (or a device the store already holds)
   *     refuses the whole import; {@code true}: such rows are skipped and reported, and the others
   *     are imported
   * @throws ImportRefusedException naming every rejected row (nothing is imported then)
   * @throws StoreCorruptException naming the file if a file is not JSON or not an object (nothing
   *     is imported then)
   * @throws StoreException if reading a file or writing the store fails (nothing stays imported)
   */
  public static ImportReport importInto(
      PairingStore store, Path devicesDir, Duration pendingTtl, boolean skipRejected) {
    Objects.requireNonNull(store, "store");
    checkTtl(pendingTtl);
    Path pairedFile = devicesDir.resolve(PAIRED_FILE);
    Path pendingFile = devicesDir.resolve(PENDING_FILE);
    RecordFile pairedRead = readRecordFile(pairedFile);
    RecordFile pendingRead = readRecordFile(pendingFile);
    List<String> warnings = new ArrayList<>();
    for (RecordFile f : List.of(pairedRead, pendingRead)) {
      if (f.emptyArray()) {
        warnings.add(f.file() + ": an array, read as an empty object (OpenClaw #63035)");
      }
    }
    return importEntries(store, PAIRED_FILE, pairedRead.entries(), PENDING_FILE,
        pendingRead.entries(), pendingTtl, skipRejected, warnings, new TreeMap<>(), List.of());
  }

  /**
   * Rows read from an OpenClaw source other than the JSON files, for {@link #importRows}.
   *
   * @param pairedSource the name of the paired rows' source, for reports (e.g. a table name)
   * @param paired the paired-device rows, keyed by device id
   * @param pendingSource the name of the pending rows' source
   * @param pending the pending-request rows, keyed by request id
   * @param dropped fields or columns the reader did not pass on, each
   *     {@code "<source>.<name>: <why>"}; reported with the rest
   * @param rejected rows the reader could not turn into a {@link Row}, each
   *     {@code "<source> <key>: <reason>"}; they count as rows Pairgate cannot accept
   */
  public record Rows(String pairedSource, List<Row> paired, String pendingSource,
      List<Row> pending, List<String> dropped, List<String> rejected) {
    /** Copies the lists. */
    public Rows {
      paired = List.copyOf(paired);
      pending = List.copyOf(pending);
      dropped = List.copyOf(dropped);
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * Imports rows read from any OpenClaw source (for example 2026.9's SQLite tables, whose columns
   * map one to one onto the JSON-era field names), all or nothing, exactly as
   * {@link #importInto(PairingStore, Path, Duration, boolean)} imports the JSON files.
   *
   * @throws ImportRefusedException naming every rejected row (nothing is imported then)
   * @throws StoreException if writing the store fails (nothing stays imported)
   */
  public static ImportReport importRows(
      PairingStore store, Rows rows, Duration pendingTtl, boolean skipRejected) {
    Objects.requireNonNull(store, "store");
    checkTtl(pendingTtl);
    if (rows.paired().size() + rows.pending().size() > MAX_ROWS) {
      throw new PairgateException(io.pairgate.ErrorCode.INVALID_ARGUMENT, "too many rows to import: "
          + (rows.paired().size() + rows.pending().size()) + " (at most " + MAX_ROWS + ")");
    }
    Map<String, Integer> drops = new TreeMap<>();
    for (String d : rows.dropped()) {
      drops.merge(d, 0, Integer::sum);
    }
    return importEntries(store, rows.pairedSource(), entries(rows.paired()), rows.pendingSource(),
        entries(rows.pending()), pendingTtl, skipRejected, new ArrayList<>(), drops,
        rows.rejected());
  }

  private static List<Map.Entry<String, JsonNode>> entries(List<Row> rows) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      JsonNode n;
      try {
        n = Json.parse(Json.write(r.fields()));
      } catch (Json.ParseFailure | RuntimeException e) {
        throw new PairgateException(io.pairgate.ErrorCode.INVALID_ARGUMENT, "row " + r.key()
            + " holds a value that is not a string, number, boolean, list or map: " + e);
      }
      out.add(Map.entry(r.key(), n));
    }
    return out;
  }

  private static void checkTtl(Duration pendingTtl) {
    if (pendingTtl.isNegative() || pendingTtl.isZero()) {
      throw new PairgateException(io.pairgate.ErrorCode.INVALID_ARGUMENT,
          "pendingTtl must be positive, was " + pendingTtl);
    }
  }

  private static ImportReport importEntries(
      PairingStore store, String pairedSource, List<Map.Entry<String, JsonNode>> pairedEntries,
      String pendingSource, List<Map.Entry<String, JsonNode>> pendingEntries, Duration pendingTtl,
      boolean skipRejected, List<String> warnings, Map<String, Integer> dropped,
      List<String> rejectedByReader) {
    List<String> skipped = new ArrayList<>(rejectedByReader);
    Map<DeviceId, PairedDevice> paired = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : pairedEntries) {
      String where = pairedSource + " " + Json.excerpt(e.getKey());
      try {
        PairedDevice p = paired(e.getKey(), Json.Obj.of(e.getValue(), ""), pairedSource, where,
            warnings, dropped);
        if (paired.put(p.deviceId(), p) != null) {
          skipped.add(where + ": a second record of device " + p.deviceId());
        }
      } catch (Json.SchemaViolation | PairgateException | IllegalArgumentException ex) {
        skipped.add(where + ": " + Json.redactQuoted(String.valueOf(ex.getMessage())));
      }
    }

    Map<DeviceId, List<PendingRequest>> pending = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : pendingEntries) {
      String where = pendingSource + " " + Json.excerpt(e.getKey());
      try {
        PendingRequest p = pending(e.getKey(), Json.Obj.of(e.getValue(), ""), pendingTtl, paired,
            pendingSource, where, warnings, dropped);
        pending.computeIfAbsent(p.deviceId(), k -> new ArrayList<>()).add(p);
      } catch (Json.SchemaViolation | PairgateException | IllegalArgumentException ex) {
        skipped.add(where + ": " + Json.redactQuoted(String.valueOf(ex.getMessage())));
      }
    }

    TreeSet<DeviceId> ids = new TreeSet<>(paired.keySet());
    ids.addAll(pending.keySet());
    List<DeviceRecord> records = new ArrayList<>();
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
          superseded.add(new ResolvedRequest(old.requestId(), ResolvedRequest.Resolution.SUPERSEDED,
              newest.requestId(), newest.refreshedAt()));
          warnings.add(pendingSource + " " + Json.excerpt(old.requestId().value()) + ": device " + id
              + " has a newer pending request " + Json.excerpt(newest.requestId().value())
              + "; imported as superseded by it");
        }
      }
      if (store.load(id).isPresent()) {
        skipped.add("device " + id + ": already in the store (not merged)");
        continue;
      }
      DeviceRecord rec = new DeviceRecord(id, 1, p, newest, false, superseded);
      // the input limits of a connect (R16.1) hold for imported rows too: an over-limit row is
      // named with its fields (never their content) and not imported
      List<io.pairgate.InputLimits.Violation> over = io.pairgate.InputLimits.check(rec);
      if (!over.isEmpty()) {
        skipped.add("device " + id + ": over the input limits ("
            + over.stream().map(io.pairgate.InputLimits.Violation::field).distinct()
                .collect(java.util.stream.Collectors.joining(", ")) + ")");
        continue;
      }
      records.add(rec);
    }
    if (!skipped.isEmpty() && !skipRejected) {
      throw new ImportRefusedException(skipped);
    }

    // All rows are accepted: write them, and undo every write if one fails.
    List<DeviceRecord> written = new ArrayList<>();
    try {
      for (DeviceRecord rec : records) {
        if (!store.compareAndSet(0, rec)) {
          throw new ImportRefusedException(List.of("device " + rec.deviceId()
              + ": created in the store concurrently (not merged)"));
        }
        written.add(rec);
      }
    } catch (RuntimeException e) {
      List<String> left = undo(store, written);
      if (!left.isEmpty()) {
        e.addSuppressed(new StoreException("the import failed and these devices could not be "
            + "removed again: " + String.join(", ", left), false));
      }
      throw e;
    }
    List<DeviceId> imported = new ArrayList<>();
    int pairedCount = 0;
    int pendingCount = 0;
    for (DeviceRecord r : records) {
      imported.add(r.deviceId());
      pairedCount += r.paired() == null ? 0 : 1;
      pendingCount += r.pending() == null ? 0 : 1;
    }
    List<String> droppedReport = new ArrayList<>();
    for (Map.Entry<String, Integer> d : dropped.entrySet()) {
      droppedReport.add(d.getKey() + (d.getValue() > 0 ? " (" + d.getValue() + " row(s))" : ""));
    }
    return new ImportReport(imported, pairedCount, pendingCount, skipped, warnings,
        droppedReport);
  }

  /** Deletes the records an import wrote; returns the devices that could not be deleted. */
  private static List<String> undo(PairingStore store, List<DeviceRecord> written) {
    List<String> left = new ArrayList<>();
    for (DeviceRecord r : written) {
      try {
        if (!store.compareAndSet(r.version(), new DeviceRecord(r.deviceId(), r.version() + 1,
            null, null, false, List.of()))) {
          left.add(r.deviceId() + " (changed since the import wrote it)");
        }
      } catch (RuntimeException e) {
        left.add(r.deviceId() + " (" + e.getMessage() + ")");
      }
    }
    return left;
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

  /** The fields of a paired.json entry the import reads; any other is named when dropped. */
  private static final Set<String> PAIRED_FIELDS = Set.of("deviceId", "publicKey", "displayName",
      "platform", "deviceFamily", "clientId", "clientMode", "role", "roles", "scopes",
      "approvedScopes", "remoteIp", "createdAtMs", "approvedAtMs", "lastSeenAtMs", "tokens",
      "operatorLabel", "approvedVia", "browserOrigin", "lastSeenReason", "nodeSurface",
      "pendingNodeSurface");
  /** The fields of a token entry the import reads. */
  private static final Set<String> TOKEN_FIELDS = Set.of("token", "role", "scopes",
      "createdAtMs", "rotatedAtMs", "revokedAtMs", "lastUsedAtMs");
  /** The fields of a pending.json entry the import reads. */
  private static final Set<String> PENDING_FIELDS = Set.of("requestId", "deviceId", "publicKey",
      "role", "roles", "scopes", "ts", "refreshedAtMs", "isRepair", "silent", "remoteIp",
      "clientId", "clientMode", "platform", "deviceFamily", "displayName", "browserOrigin");

  /** Adds a warning naming the fields of {@code o} the import does not read (and so drops). */
  private static void unknownFields(Json.Obj o, Set<String> known, String where,
      List<String> warnings) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Map.Entry<String, JsonNode> e : o.entries()) {
      if (!known.contains(e.getKey())) {
        unknown.add(abbreviate(e.getKey()));
      }
    }
    if (!unknown.isEmpty()) {
      warnings.add(where + ": dropped unknown field" + (unknown.size() == 1 ? " " : "s ")
          + String.join(", ", unknown));
    }
  }

  /** OpenClaw 2026.9's {@code approved_via} values and the Pairgate value each becomes. */
  private static final Map<String, String> APPROVED_VIA_IN = Map.of(
      "owner", "operator", "silent", "silent", "pairing-disabled", "pairing-disabled",
      "imported", APPROVED_VIA_IMPORT);

  /** Reports a field Pairgate does not keep, once per source and name, counting the rows. */
  private static void drop(Map<String, Integer> dropped, String source, String field, String why) {
    dropped.merge(source + "." + field + ": " + why, 1, Integer::sum);
  }

  private static boolean present(Json.Obj o, String key) {
    JsonNode n = o.node.get(key);
    return n != null && !n.isNull();
  }

  /** The single place where an imported token secret becomes what the store keeps: its hash. */
  private static TokenHash tokenAtRest(String importedSecret) {
    return TokenHash.of(importedSecret);
  }

  private static PairedDevice paired(String key, Json.Obj o, String source, String where,
      List<String> warnings, Map<String, Integer> dropped) {
    unknownFields(o, PAIRED_FIELDS, where, warnings);
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
        Json.Obj t = Json.Obj.of(e.getValue(), to.at(Json.name(e.getKey())));
        unknownFields(t, TOKEN_FIELDS, where + " tokens." + Json.name(e.getKey()), warnings);
        String secret = t.optString("token");
        if (secret == null || secret.isEmpty()) {
          warnings.add(where + ": token for role " + Json.name(r.name()) + " has no secret; dropped");
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
        // only the hash is kept: the device goes on using the secret it holds
        tokens.put(r, new DeviceToken(r, scopes, tokenAtRest(secret), tc == null ? createdAt : tc,
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
          + Json.names(roles) + " and baseline " + Json.names(baseline.names())
          + " taken from its role and tokens");
    } else {
      if (roles.isEmpty()) {
        roles.addAll(tokens.keySet());
        if (roles.isEmpty()) {
          roles.add(Role.OPERATOR);
        }
        warnings.add(where + ": no roles; using " + Json.names(roles));
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
    String via = APPROVED_VIA_IMPORT;
    String viaText = o.optString("approvedVia");
    if (viaText != null && !viaText.isEmpty()) {
      String mapped = APPROVED_VIA_IN.get(viaText);
      if (mapped == null) {
        warnings.add(where + ": approvedVia \"" + abbreviate(viaText) + "\" is unknown; "
            + "imported as \"" + APPROVED_VIA_IMPORT + "\"");
      } else {
        via = mapped;
      }
    }
    if (present(o, "nodeSurface")) {
      drop(dropped, source, "nodeSurface", "the node's advertised surface; Pairgate keeps no"
          + " node surfaces (the node reports it again when it connects)");
    }
    if (present(o, "pendingNodeSurface")) {
      drop(dropped, source, "pendingNodeSurface", "a node surface change awaiting approval;"
          + " Pairgate keeps no node surfaces");
    }
    Instant lastSeen = o.optInstant("lastSeenAtMs");
    String seenReason = orEmpty(o.optString("lastSeenReason"));
    if (lastSeen == null && !seenReason.isEmpty()) {
      warnings.add(where + ": lastSeenReason without lastSeenAtMs; dropped");
      seenReason = "";
    }
    return new PairedDevice(id, key1, new ArrayList<>(roles), baseline, client, label, tokens,
        createdAt, approvedAt, lastSeen, via, orEmpty(o.optString("remoteIp")),
        orEmpty(o.optString("browserOrigin")), seenReason, legacy);
  }

  private static PendingRequest pending(String key, Json.Obj o, Duration ttl,
      Map<DeviceId, PairedDevice> paired, String source, String where, List<String> warnings,
      Map<String, Integer> dropped) {
    unknownFields(o, PENDING_FIELDS, where, warnings);
    String rid = o.optString("requestId");
    if (rid != null && !rid.equals(key)) {
      throw new Json.SchemaViolation("requestId " + Json.excerpt(rid) + " differs from its key");
    }
    RequestId requestId = RecordCodec.parse("requestId", () -> RequestId.of(key));
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
      drop(dropped, source, "silent", "OpenClaw's mark for a request it would approve by itself;"
          + " Pairgate decides that on the device's next connect, so an imported request waits"
          + " for an operator");
    }
    return new PendingRequest(requestId, id, pk, role, new ArrayList<>(roles), scopes, client,
        orEmpty(o.optString("remoteIp")), ts, refreshed, refreshed.plus(ttl), repair, reason,
        orEmpty(o.optString("browserOrigin")));
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

  /** Pairgate's {@code approvedVia} values and what OpenClaw 2026.9 calls each. */
  private static final Map<String, String> APPROVED_VIA_OUT = Map.of(
      "operator", "owner", "silent", "silent", "pairing-disabled", "pairing-disabled",
      APPROVED_VIA_IMPORT, "imported", "standing", "owner");

  /**
   * Reads every device of {@code store} into OpenClaw's shapes, without token secrets (see the
   * class description).
   *
   * @throws StoreException if reading the store fails
   */
  public static Snapshot snapshot(PairingStore store) {
    List<Row> paired = new ArrayList<>();
    List<Row> pending = new ArrayList<>();
    List<String> notExported = new ArrayList<>();
    String after = "";
    while (true) {
      List<DeviceRecord> page = store.list(after, 500);
      for (DeviceRecord r : page) {
        PairedDevice p = r.paired();
        if (p != null && p.effectiveRoles().isEmpty()) {
          // every token revoked: OpenClaw cannot express it, and importing a record without
          // roles back would grant operator
          notExported.add(r.deviceId() + ": paired, but every role's token was revoked");
        } else if (p != null) {
          paired.add(new Row(r.deviceId().value(), exportPaired(p, notExported)));
          if (p.approvedVia().equals("standing")) {
            notExported.add(r.deviceId() + ": approvedVia standing (exported as owner)");
          }
        }
        if (r.pending() != null) {
          pending.add(new Row(r.pending().requestId().value(), exportPending(r.pending())));
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
    return new Snapshot(paired, pending, notExported);
  }

  /**
   * Writes every paired device of {@code store} to {@code devicesDir/paired.json} and every
   * pending request to {@code devicesDir/pending.json} (OpenClaw 2026.6's layout), replacing both
   * files durably (each atomically; as in OpenClaw, not atomically as a pair). Files are mode
   * 0600, the directory 0700. Devices carry no tokens (see the class description).
   *
   * @throws StoreException if reading the store or writing a file fails
   */
  public static ExportReport exportFrom(PairingStore store, Path devicesDir) {
    Snapshot snap = snapshot(store);
    Map<String, @Nullable Object> paired = Json.object();
    for (Row r : snap.paired()) {
      paired.put(r.key(), new TreeMap<>(r.fields()));
    }
    Map<String, @Nullable Object> pending = Json.object();
    for (Row r : snap.pending()) {
      pending.put(r.key(), new TreeMap<>(r.fields()));
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
    return new ExportReport(pairedFile, pendingFile, paired.size(), pending.size(),
        snap.notExported());
  }

  private static Map<String, @Nullable Object> exportPaired(
      PairedDevice p, List<String> notExported) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("deviceId", p.deviceId().value());
    m.put("publicKey", p.publicKey().base64Url());
    putClient(m, p.client());
    putIfSet(m, "remoteIp", p.remoteAddress());
    putIfSet(m, "browserOrigin", p.browserOrigin());
    // Token secrets are stored as hashes, so no token can be exported. OpenClaw treats an empty
    // token map as "every approved role is effective" and mints a token on the device's next
    // shared-token connect; a role whose token was revoked here must therefore not be exported
    // as approved, or OpenClaw would let it connect again.
    List<String> roles = new ArrayList<>();
    for (Role r : p.effectiveRoles()) {
      roles.add(r.name());
    }
    for (Role r : p.roles()) {
      if (!roles.contains(r.name())) {
        notExported.add(p.deviceId() + ": role " + r + " (its token was revoked; OpenClaw could"
            + " not keep it revoked without a token)");
      }
    }
    if (!p.tokens().isEmpty()) {
      notExported.add(p.deviceId() + ": device token(s) for " + p.tokens().keySet()
          + " (only hashes are stored; OpenClaw issues new ones, see 'Back to OpenClaw' in"
          + " docs/operations.md)");
    }
    if (!roles.isEmpty()) {
      m.put("role", roles.contains(Role.OPERATOR.name()) ? Role.OPERATOR.name() : roles.get(0));
    }
    m.put("roles", roles);
    m.put("scopes", p.approvedScopes().names());
    m.put("approvedScopes", p.approvedScopes().names());
    m.put("approvedVia", APPROVED_VIA_OUT.getOrDefault(p.approvedVia(), "owner"));
    m.put("tokens", Json.object());
    m.put("createdAtMs", Json.epochMsTruncated(p.createdAt()));
    m.put("approvedAtMs", Json.epochMsTruncated(p.approvedAt()));
    putMs(m, "lastSeenAtMs", p.lastSeenAt());
    if (p.lastSeenAt() != null) {
      putIfSet(m, "lastSeenReason", p.lastSeenReason());
    }
    putIfSet(m, "operatorLabel", p.label());
    return m;
  }

  private static Map<String, @Nullable Object> exportPending(PendingRequest p) {
    Map<String, @Nullable Object> m = Json.object();
    m.put("requestId", p.requestId().value());
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
    putIfSet(m, "browserOrigin", p.browserOrigin());
    m.put("silent", false);
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
