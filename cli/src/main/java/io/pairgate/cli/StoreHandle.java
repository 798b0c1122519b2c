package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** An open store and what the user called it; closing it closes the store. */
final class StoreHandle implements AutoCloseable {
  private final PairingStore store;
  private final String description;
  private final @Nullable Path directory;

  private StoreHandle(PairingStore store, String description, @Nullable Path directory) {
    this.store = store;
    this.description = description;
    this.directory = directory;
  }

  static StoreHandle json(Path dir) {
    return new StoreHandle(JsonPairingStore.open(dir), dir.toString(), dir);
  }

  static StoreHandle memory() {
    return new StoreHandle(new InMemoryPairingStore(), "in memory", null);
  }

  static StoreHandle jdbc(String url) {
    if (!url.startsWith("jdbc:")) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "--jdbc expects a JDBC URL such as jdbc:sqlite:/var/lib/pairgate.db, got " + url);
    }
    JdbcPairingStore.Builder b;
    if (url.startsWith("jdbc:sqlite:") && !url.contains("?") && !url.contains(":memory:")) {
      b = JdbcPairingStore.sqlite(Path.of(url.substring("jdbc:sqlite:".length())));
    } else {
      b = JdbcPairingStore.builder(new DriverDataSource(url));
    }
    return new StoreHandle(b.touchFlushInterval(Duration.ZERO).build(), redact(url), null);
  }

  /** The URL without a password parameter, for messages. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
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

  @Override
  public void close() {
    store.close();
  }

  /** A data source over {@link DriverManager} for {@code --jdbc} URLs (one connection per use). */
  private static final class DriverDataSource implements DataSource {
    private final String url;

    DriverDataSource(String url) {
      this.url = url;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return DriverManager.getConnection(url, username, password);
    }

    @Override
    public @Nullable PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(@Nullable PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
