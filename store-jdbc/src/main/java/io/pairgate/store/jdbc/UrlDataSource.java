package io.pairgate.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DataSource} over {@link DriverManager} that keeps up to {@code maxIdle} connections open
 * for reuse (there is no upper bound on connections in use). Used by {@link JdbcPairingStore#sqlite}:
 * opening an SQLite file costs far more than a query, and closing its last connection checkpoints
 * and deletes the WAL, so reuse matters even for an embedded database. It is deliberately minimal:
 * for server databases use a real pool (HikariCP).
 *
 * <p>A connection handed out is a proxy; its {@link Connection#close()} rolls back an open
 * transaction, restores auto-commit and returns the connection to the idle set (or closes it when
 * the set is full or the connection is broken).
 */
final class UrlDataSource implements DataSource, AutoCloseable {
  private final String url;
  private final Properties properties;
  private final ArrayBlockingQueue<Connection> idle;
  private volatile boolean closed;
  private volatile int loginTimeoutSeconds;

  UrlDataSource(String url, Properties properties) {
    this(url, properties, 4);
  }

  UrlDataSource(String url, Properties properties, int maxIdle) {
    this.url = url;
    this.properties = (Properties) properties.clone();
    this.idle = new ArrayBlockingQueue<>(Math.max(1, maxIdle));
  }

  String url() {
    return url;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("data source for " + url + " is closed", "08003");
    }
    Connection c;
    while ((c = idle.poll()) != null) {
      if (!c.isClosed()) {
        return wrap(c);
      }
    }
    return wrap(DriverManager.getConnection(url, properties));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    Properties p = (Properties) properties.clone();
    p.setProperty("user", username);
    p.setProperty("password", password);
    return DriverManager.getConnection(url, p); // not pooled: different credentials
  }

  private Connection wrap(Connection real) {
    return (Connection) Proxy.newProxyInstance(
        UrlDataSource.class.getClassLoader(), new Class<?>[] {Connection.class},
        new Handle(real));
  }

  private void release(Connection real) {
    try {
      if (real.isClosed()) {
        return;
      }
      if (!real.getAutoCommit()) {
        real.rollback();
        real.setAutoCommit(true);
      }
      if (closed || !idle.offer(real)) {
        real.close();
      }
    } catch (SQLException e) {
      try {
        real.close();
      } catch (SQLException ignored) {
        // broken connection: nothing more to do
      }
    }
  }

  /** Closes the idle connections; connections in use are closed when they are returned. */
  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }

  private final class Handle implements InvocationHandler {
    private final Connection real;
    private boolean released;

    Handle(Connection real) {
      this.real = real;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method m, Object @Nullable [] args)
        throws Throwable {
      switch (m.getName()) {
        case "close":
          synchronized (this) {
            if (!released) {
              released = true;
              release(real);
            }
          }
          return null;
        case "isClosed":
          synchronized (this) {
            return released || real.isClosed();
          }
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "pooled " + real;
        default:
          synchronized (this) {
            if (released) {
              throw new SQLException("connection was returned to the pool", "08003");
            }
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
      }
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return DriverManager.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    DriverManager.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "UrlDataSource[" + url + "]";
  }
}
