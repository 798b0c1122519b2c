package io.pairgate.cli;

import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PendingCount;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** An open store and what the user called it; closing it closes the store. */
final class StoreHandle implements AutoCloseable {
  /** How a command opens its store. */
  enum Mode {
    /** Read-only: nothing is created, written or locked. */
    READ,
    /** An existing store, for changes. */
    WRITE,
    /** Created when missing (import, simulate). */
    CREATE
  }

  /** The JDBC URL prefixes of the dialects store-jdbc supports, with their driver classes. */
  static final Map<String, String> DRIVERS = new LinkedHashMap<>();

  static {
    DRIVERS.put("jdbc:sqlite:", "org.sqlite.JDBC");
    DRIVERS.put("jdbc:postgresql:", "org.postgresql.Driver");
    DRIVERS.put("jdbc:mariadb:", "org.mariadb.jdbc.Driver");
    DRIVERS.put("jdbc:h2:", "org.h2.Driver");
  }

  private final PairingStore store;
  private final String description;
  private final @Nullable Path directory;
  private final @Nullable Salvaging salvaging;

  private StoreHandle(PairingStore store, String description, @Nullable Path directory,
      boolean salvage) {
    this.salvaging = salvage ? new Salvaging(store) : null;
    this.store = salvaging != null ? salvaging : store;
    this.description = description;
    this.directory = directory;
  }

  static StoreHandle json(Path dir, Mode mode) {
    if (mode == Mode.READ) {
      return new StoreHandle(JsonPairingStore.builder(dir).readOnly().open(), dir.toString(), dir,
          true);
    }
    return new StoreHandle(JsonPairingStore.open(dir), dir.toString(), dir, false);
  }

  static StoreHandle memory() {
    return new StoreHandle(new InMemoryPairingStore(), "in memory", null, false);
  }

  /**
   * A JDBC store. The URL must name a supported dialect and its driver must be present; a
   * read-only open never creates the tables, and a database without them is "no Pairgate store".
   */
  static StoreHandle jdbc(String url, Mode mode) {
    checkJdbcUrl(url);
    String shown = redact(url);
    boolean sqliteFile = url.startsWith("jdbc:sqlite:") && !url.contains("?")
        && !url.contains(":memory:");
    if (sqliteFile && mode != Mode.CREATE
        && !java.nio.file.Files.exists(Path.of(url.substring("jdbc:sqlite:".length())))) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + shown
          + " (no such database file; check the path; a gateway creates its store on first start)");
    }
    JdbcPairingStore.Builder b = sqliteFile
        ? JdbcPairingStore.sqlite(Path.of(url.substring("jdbc:sqlite:".length())))
        : JdbcPairingStore.url(url);
    b.touchFlushInterval(Duration.ZERO);
    if (mode != Mode.CREATE) {
      b.migrate(false); // never create tables for a command that expects a store
    }
    JdbcPairingStore s;
    try {
      s = b.open();
    } catch (StoreException e) {
      if (mode != Mode.CREATE && !e.retryable()
          && String.valueOf(e.getMessage()).contains("tables are missing")) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + shown
            + " (the database has no pairing tables; a gateway creates them on first start)");
      }
      throw e;
    }
    return new StoreHandle(s, shown, null, mode == Mode.READ);
  }

  /**
   * Refuses a URL of an unsupported database (usage error), and one whose driver is missing from
   * the class path (one line).
   */
  static void checkJdbcUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    String driver = null;
    for (Map.Entry<String, String> d : DRIVERS.entrySet()) {
      if (lower.startsWith(d.getKey())) {
        driver = d.getValue();
      }
    }
    if (driver == null) {
      throw new Errors.UsageException("--jdbc: unsupported database URL " + redact(url)
          + "; supported: " + String.join(", ", supported()) + " (e.g."
          + " jdbc:postgresql://127.0.0.1:5432/pairgate?user=pairgate)");
    }
    try {
      Class.forName(driver, true, StoreHandle.class.getClassLoader());
      DriverManager.getDriver(url);
    } catch (ClassNotFoundException | SQLException e) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no JDBC driver for "
          + url.substring(0, url.indexOf(':', 5) + 1) + " on the class path (" + driver
          + " is missing; run the pairgate distribution: ./pairgate, or java -jar"
          + " cli/target/pairgate-cli.jar next to its lib/ directory)");
    }
  }

  static List<String> supported() {
    List<String> out = new ArrayList<>();
    for (String p : DRIVERS.keySet()) {
      out.add(p + "…");
    }
    return out;
  }

  /** The URL without a password parameter, for messages. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(?i)(//[^/@:]*:)[^/@]*@", "$1***@");
  }

  PairingStore store() {
    return store;
  }

  /** The store-json directory, if this is one. */
  @Nullable Path directory() {
    return directory;
  }

  String description() {
    return description;
  }

  /**
   * Device records a read-only listing skipped because they cannot be read: device id → what is
   * wrong (location and message). Empty for other handles.
   */
  Map<String, StoreCorruptException> unreadable() {
    if (salvaging == null) {
      return Map.of();
    }
    if (salvaging.inner instanceof JsonPairingStore js) {
      // store-json's listing skips the files it found unreadable; it names them on request
      for (io.pairgate.store.json.StoreProblem p : js.unreadableDevices()) {
        String name = p.file().getFileName().toString();
        if (name.matches("[0-9a-f]{64}\\.json")) {
          salvaging.skipped.putIfAbsent(name.substring(0, 64),
              new StoreCorruptException(p.file().toString(), p.message()));
        }
      }
    }
    return salvaging.skipped;
  }

  @Override
  public void close() {
    store.close();
  }

  /**
   * A read-only view that lists around unreadable records: when a page fails on one corrupt
   * record, the page is read record by record and the bad one is skipped and remembered, so one
   * bad record does not hide the fleet. Every other call is passed through unchanged (a direct
   * read of the bad record still fails).
   */
  static final class Salvaging implements PairingStore {
    private static final Pattern ID = Pattern.compile("([0-9a-f]{64})");
    final PairingStore inner;
    final Map<String, StoreCorruptException> skipped = new LinkedHashMap<>();

    Salvaging(PairingStore inner) {
      this.inner = inner;
    }

    @Override
    public Optional<DeviceRecord> load(DeviceId deviceId) {
      return inner.load(deviceId);
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
      return inner.findByRequestId(requestId);
    }

    @Override
    public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
      return inner.compareAndSet(expectedVersion, next);
    }

    @Override
    public List<DeviceRecord> list(String afterDeviceId, int limit) {
      try {
        return inner.list(afterDeviceId, limit);
      } catch (StoreCorruptException first) {
        List<DeviceRecord> out = new ArrayList<>();
        String cur = afterDeviceId;
        while (out.size() < limit) {
          List<DeviceRecord> one;
          try {
            one = inner.list(cur, 1);
          } catch (StoreCorruptException e) {
            String bad = deviceIdIn(e);
            if (bad == null || bad.compareTo(cur) <= 0) {
              throw e;
            }
            skipped.putIfAbsent(bad, e);
            cur = bad;
            continue;
          }
          if (one.isEmpty()) {
            break;
          }
          out.add(one.get(0));
          cur = one.get(0).deviceId().value();
        }
        return out;
      }
    }

    /** The device id a corruption error names (its file name or row), if any. */
    static @Nullable String deviceIdIn(StoreCorruptException e) {
      Matcher m = ID.matcher(String.valueOf(e.location()));
      String found = null;
      while (m.find()) {
        found = m.group(1);
      }
      return found;
    }

    @Override
    public void touch(DeviceId deviceId, io.pairgate.Role role, Instant at) {
      // read-only: access times are not recorded
    }

    @Override
    public PendingCount countPending(String remoteAddress, Instant now) {
      return inner.countPending(remoteAddress, now);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
