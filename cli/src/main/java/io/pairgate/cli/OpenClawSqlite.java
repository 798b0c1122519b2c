package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.StoreException;
import io.pairgate.store.json.OpenClawFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenClaw 2026.9's pairing tables in {@code <stateDir>/state/openclaw.sqlite}: reading them for
 * an import and writing them for an export. Every column of {@code device_pairing_paired} and
 * {@code device_pairing_pending} is listed in {@link #PAIRED} and {@link #PENDING}: mapped onto the
 * JSON-era field that {@link OpenClawFiles} imports, or dropped with the reason.
 *
 * <p>Reading opens the database read-only (SQLite's read-only open mode, no pragma that writes),
 * reads both tables inside one read transaction (a consistent snapshot that includes the
 * write-ahead log) and takes no write lock, so a running OpenClaw keeps writing. No other table
 * is read; in particular {@code device_identities}, which holds the gateway's private key.
 */
final class OpenClawSqlite {
  /** The database's path inside an OpenClaw state directory. */
  static final String DATABASE = "state/openclaw.sqlite";
  static final String PAIRED_TABLE = "device_pairing_paired";
  static final String PENDING_TABLE = "device_pairing_pending";
  /** The longest text value read from one cell. */
  static final int MAX_CELL_CHARS = 64 * 1024;
  /** The most rows read from one table. */
  static final int MAX_ROWS = 500_000;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private OpenClawSqlite() {}

  /** How a column's value is read and written. */
  enum Kind { TEXT, INTEGER, BOOLEAN, JSON }

  /**
   * One column of OpenClaw's layout.
   *
   * @param name the column name
   * @param kind its type
   * @param field the JSON-era field it maps to, or empty when the column is dropped
   * @param dropReason why it is dropped (empty when mapped)
   */
  record Column(String name, Kind kind, String field, String dropReason) {
    static Column mapped(String name, Kind kind, String field) {
      return new Column(name, kind, field, "");
    }

    static Column dropped(String name, Kind kind, String why) {
      return new Column(name, kind, "", why);
    }

    boolean isDropped() {
      return field.isEmpty();
    }
  }

  /** Every column of {@code device_pairing_paired} in OpenClaw 2026.9, in table order. */
  static final List<Column> PAIRED = List.of(
      Column.mapped("device_id", Kind.TEXT, "deviceId"),
      Column.mapped("public_key", Kind.TEXT, "publicKey"),
      Column.mapped("display_name", Kind.TEXT, "displayName"),
      Column.mapped("operator_label", Kind.TEXT, "operatorLabel"),
      Column.mapped("platform", Kind.TEXT, "platform"),
      Column.mapped("device_family", Kind.TEXT, "deviceFamily"),
      Column.mapped("client_id", Kind.TEXT, "clientId"),
      Column.mapped("client_mode", Kind.TEXT, "clientMode"),
      Column.mapped("browser_origin", Kind.TEXT, "browserOrigin"),
      Column.mapped("role", Kind.TEXT, "role"),
      Column.mapped("roles_json", Kind.JSON, "roles"),
      Column.mapped("scopes_json", Kind.JSON, "scopes"),
      Column.mapped("approved_scopes_json", Kind.JSON, "approvedScopes"),
      Column.mapped("remote_ip", Kind.TEXT, "remoteIp"),
      Column.mapped("tokens_json", Kind.JSON, "tokens"),
      Column.mapped("approved_via", Kind.TEXT, "approvedVia"),
      Column.dropped("node_surface_json", Kind.JSON, "the node's advertised surface; Pairgate"
          + " keeps no node surfaces (a node reports it again when it connects)"),
      Column.dropped("pending_node_surface_json", Kind.JSON, "a node surface change awaiting"
          + " approval; Pairgate keeps no node surfaces"),
      Column.mapped("created_at_ms", Kind.INTEGER, "createdAtMs"),
      Column.mapped("approved_at_ms", Kind.INTEGER, "approvedAtMs"),
      Column.mapped("last_seen_at_ms", Kind.INTEGER, "lastSeenAtMs"),
      Column.mapped("last_seen_reason", Kind.TEXT, "lastSeenReason"));

  /** Every column of {@code device_pairing_pending} in OpenClaw 2026.9, in table order. */
  static final List<Column> PENDING = List.of(
      Column.mapped("request_id", Kind.TEXT, "requestId"),
      Column.mapped("device_id", Kind.TEXT, "deviceId"),
      Column.mapped("public_key", Kind.TEXT, "publicKey"),
      Column.mapped("display_name", Kind.TEXT, "displayName"),
      Column.mapped("platform", Kind.TEXT, "platform"),
      Column.mapped("device_family", Kind.TEXT, "deviceFamily"),
      Column.mapped("client_id", Kind.TEXT, "clientId"),
      Column.mapped("client_mode", Kind.TEXT, "clientMode"),
      Column.mapped("browser_origin", Kind.TEXT, "browserOrigin"),
      Column.mapped("role", Kind.TEXT, "role"),
      Column.mapped("roles_json", Kind.JSON, "roles"),
      Column.mapped("scopes_json", Kind.JSON, "scopes"),
      Column.mapped("remote_ip", Kind.TEXT, "remoteIp"),
      Column.dropped("silent", Kind.BOOLEAN, "OpenClaw's mark for a request it approves by"
          + " itself; Pairgate decides that at the device's next connect, so an imported request"
          + " waits for an operator"),
      Column.mapped("is_repair", Kind.BOOLEAN, "isRepair"),
      Column.mapped("ts", Kind.INTEGER, "ts"),
      Column.mapped("refreshed_at_ms", Kind.INTEGER, "refreshedAtMs"));

  /** The database of an OpenClaw state directory (or {@code path} itself when it is a file). */
  static Path databaseOf(Path stateDirOrFile) {
    return Files.isRegularFile(stateDirOrFile) ? stateDirOrFile
        : stateDirOrFile.resolve(DATABASE);
  }

  // ---------------------------------------------------------------------------------------------
  // read

  /** {@link #read(Path, Runnable)} with nothing run during the read. */
  static OpenClawFiles.Rows read(Path database) {
    return read(database, () -> {});
  }

  /**
   * Reads both pairing tables of {@code database} in one read-only transaction.
   *
   * @param whileReading run inside the read transaction between the two tables (tests use it to
   *     show that a concurrent writer is not blocked)
   * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} if the file is not an
   *     OpenClaw 2026.9 database (neither table exists)
   * @throws StoreException if the database cannot be read
   */
  static OpenClawFiles.Rows read(Path database, Runnable whileReading) {
    if (!Files.isRegularFile(database)) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no OpenClaw database at "
          + database);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setOpenMode(SQLiteOpenMode.READONLY);
    config.setBusyTimeout(10_000);
    Properties props = config.toProperties();
    List<String> dropped = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database, props)) {
      c.setAutoCommit(false);
      try {
        Set<String> tables = new TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('"
                + PAIRED_TABLE + "', '" + PENDING_TABLE + "')")) {
          while (rs.next()) {
            tables.add(rs.getString(1));
          }
        }
        if (tables.isEmpty()) {
          throw new PairgateException(ErrorCode.INVALID_ARGUMENT, database + " holds neither "
              + PAIRED_TABLE + " nor " + PENDING_TABLE + ": not an OpenClaw 2026.9 state"
              + " database");
        }
        List<OpenClawFiles.Row> paired = tables.contains(PAIRED_TABLE)
            ? table(c, PAIRED_TABLE, PAIRED, "device_id", dropped, rejected) : List.of();
        whileReading.run();
        List<OpenClawFiles.Row> pending = tables.contains(PENDING_TABLE)
            ? table(c, PENDING_TABLE, PENDING, "request_id", dropped, rejected) : List.of();
        return new OpenClawFiles.Rows(PAIRED_TABLE, paired, PENDING_TABLE, pending, dropped,
            rejected);
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read " + database + ": " + e.getMessage(), false, e);
    }
  }

  private static List<OpenClawFiles.Row> table(Connection c, String table, List<Column> layout,
      String keyColumn, List<String> dropped, List<String> rejected) throws SQLException {
    Map<String, Column> byName = new LinkedHashMap<>();
    for (Column col : layout) {
      byName.put(col.name(), col);
    }
    List<OpenClawFiles.Row> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData md = rs.getMetaData();
      int n = md.getColumnCount();
      String[] names = new String[n];
      int[] withValue = new int[n];
      for (int i = 0; i < n; i++) {
        names[i] = md.getColumnName(i + 1);
      }
      int rows = 0;
      while (rs.next()) {
        if (++rows > MAX_ROWS) {
          throw new PairgateException(ErrorCode.INVALID_ARGUMENT, table + " has more than "
              + MAX_ROWS + " rows; Pairgate imports at most that many");
        }
        Object keyValue = rs.getObject(keyColumn);
        String key = keyValue == null ? "(no " + keyColumn + ")" : String.valueOf(keyValue);
        if (key.length() > 200) {
          key = key.substring(0, 200) + "…";
        }
        Map<String, @Nullable Object> fields = new LinkedHashMap<>();
        String problem = null;
        for (int i = 0; i < n; i++) {
          Object raw = rs.getObject(i + 1);
          if (raw == null) {
            continue;
          }
          withValue[i]++;
          Column col = byName.get(names[i]);
          if (col == null || col.isDropped()) {
            continue;
          }
          try {
            fields.put(col.field(), value(col, raw));
          } catch (IllegalArgumentException e) {
            problem = problem == null ? names[i] + ": " + e.getMessage() : problem;
          }
        }
        if (problem != null) {
          rejected.add(table + " " + key + ": " + problem);
        } else {
          out.add(new OpenClawFiles.Row(key, fields));
        }
      }
      for (int i = 0; i < n; i++) {
        Column col = byName.get(names[i]);
        String count = " (" + withValue[i] + " row(s) with a value)";
        if (col == null) {
          dropped.add(table + "." + names[i] + ": not part of OpenClaw 2026.9's layout, so"
              + " Pairgate does not know what it means" + count);
        } else if (col.isDropped()) {
          dropped.add(table + "." + names[i] + ": " + col.dropReason() + count);
        }
      }
    }
    return out;
  }

  /** A cell as the JSON-era field holds it. */
  private static Object value(Column col, Object raw) {
    switch (col.kind()) {
      case INTEGER -> {
        if (raw instanceof Number num && !(raw instanceof Double) && !(raw instanceof Float)) {
          return num.longValue();
        }
        throw new IllegalArgumentException("expected an integer, found " + describe(raw));
      }
      case BOOLEAN -> {
        if (raw instanceof Number num && (num.longValue() == 0 || num.longValue() == 1)) {
          return num.longValue() == 1;
        }
        throw new IllegalArgumentException("expected 0 or 1, found " + describe(raw));
      }
      case TEXT -> {
        if (raw instanceof String s) {
          return limited(s);
        }
        throw new IllegalArgumentException("expected text, found " + describe(raw));
      }
      case JSON -> {
        if (!(raw instanceof String s)) {
          throw new IllegalArgumentException("expected JSON text, found " + describe(raw));
        }
        try {
          return normalize(JSON.readValue(limited(s), Object.class));
        } catch (JacksonException e) {
          throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
      }
      default -> throw new IllegalStateException(col.kind().name());
    }
  }

  private static String limited(String s) {
    if (s.length() > MAX_CELL_CHARS) {
      throw new IllegalArgumentException(s.length() + " characters, more than the "
          + MAX_CELL_CHARS + " Pairgate reads from one cell");
    }
    return s;
  }

  /** Jackson's numbers as {@link Long}s (what {@link OpenClawFiles.Row} takes). */
  private static @Nullable Object normalize(@Nullable Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, @Nullable Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      List<@Nullable Object> out = new ArrayList<>(l.size());
      for (Object v : l) {
        out.add(normalize(v));
      }
      return out;
    }
    if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return ((Number) o).longValue();
    }
    if (o instanceof java.math.BigInteger b) {
      return b.longValueExact();
    }
    return o;
  }

  private static String describe(Object raw) {
    return raw instanceof String ? "text" : raw instanceof byte[] ? "a blob"
        : raw.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  // ---------------------------------------------------------------------------------------------
  // write

  /** The two tables and their indexes, exactly as OpenClaw 2026.9 creates them. */
  static String ddl() {
    try (InputStream in = OpenClawSqlite.class.getResourceAsStream("openclaw-2026.9-pairing.sql")) {
      if (in == null) {
        throw new IllegalStateException("openclaw-2026.9-pairing.sql is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code snapshot} as a new {@code database} holding the two tables in OpenClaw 2026.9's
   * layout: into a temporary file next to it, synced, then moved into place atomically.
   *
   * @param force replace an existing database (and remove its write-ahead log files)
   * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} if the database exists and
   *     {@code force} is false
   * @throws StoreException if writing fails (the target is then unchanged)
   */
  static void write(OpenClawFiles.Snapshot snapshot, Path database, boolean force) {
    Path dir = database.toAbsolutePath().getParent();
    if (Files.exists(database) && !force) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, database + " exists; OpenClaw's"
          + " state would be replaced (stop OpenClaw, keep a copy, then repeat with --force)");
    }
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      tmp = Files.createTempFile(dir, "." + database.getFileName() + ".", ".tmp");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp)) {
        try (Statement st = c.createStatement()) {
          st.executeUpdate("PRAGMA journal_mode = DELETE");
          st.executeUpdate("PRAGMA synchronous = FULL");
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
          for (String sql : ddl().split(";")) {
            if (!sql.isBlank()) {
              st.executeUpdate(sql);
            }
          }
        }
        insert(c, PAIRED_TABLE, PAIRED, snapshot.paired());
        insert(c, PENDING_TABLE, PENDING, snapshot.pending());
        c.commit();
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      if (force) {
        for (String suffix : List.of("-wal", "-shm", "-journal")) {
          Files.deleteIfExists(database.resolveSibling(database.getFileName() + suffix));
        }
      }
      try {
        Files.move(tmp, database, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new StoreException("cannot move " + tmp + " into place atomically: " + e, false, e);
      }
      tmp = null;
      try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true);
      } catch (IOException e) {
        // some file systems cannot sync a directory
      }
    } catch (IOException | SQLException e) {
      throw new StoreException("cannot write " + database + ": " + e.getMessage(), false, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
          Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + "-journal"));
        } catch (IOException e) {
          // best effort
        }
      }
    }
  }

  private static void insert(Connection c, String table, List<Column> layout,
      List<OpenClawFiles.Row> rows) throws SQLException {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
    StringBuilder marks = new StringBuilder();
    for (int i = 0; i < layout.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(layout.get(i).name());
      marks.append(i == 0 ? "?" : ", ?");
    }
    sql.append(") VALUES (").append(marks).append(')');
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (OpenClawFiles.Row row : rows) {
        for (int i = 0; i < layout.size(); i++) {
          Column col = layout.get(i);
          Object v = col.isDropped() ? null : row.fields().get(col.field());
          if (col.name().equals("silent")) {
            v = Boolean.FALSE; // Pairgate's requests wait for an operator
          } else if (col.name().equals("tokens_json")) {
            v = null; // no tokens leave Pairgate (their secrets are kept hashed)
          }
          bind(ps, i + 1, col, v);
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void bind(PreparedStatement ps, int i, Column col, @Nullable Object v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, col.kind() == Kind.TEXT || col.kind() == Kind.JSON ? Types.VARCHAR
          : Types.BIGINT);
      return;
    }
    switch (col.kind()) {
      case TEXT -> ps.setString(i, String.valueOf(v));
      case INTEGER -> ps.setLong(i, ((Number) v).longValue());
      case BOOLEAN -> ps.setLong(i, Boolean.TRUE.equals(v) ? 1 : 0);
      case JSON -> ps.setString(i, JSON.writeValueAsString(v));
      default -> throw new IllegalStateException(col.kind().name());
    }
  }
}
