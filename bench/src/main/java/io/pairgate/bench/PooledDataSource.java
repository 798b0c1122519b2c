package io.pairgate.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A minimal connection pool for the JDBC benchmarks (the store borrows one connection per
 * operation; a gateway would use HikariCP). Connections handed out are proxies whose
 * {@code close()} rolls back an open transaction, restores auto-commit and returns the connection
 * to the pool, so borrowing costs a queue poll, not a new connection.
 */
public final class PooledDataSource implements DataSource, AutoCloseable {
  private final String url;
  private final @Nullable String user;
  private final @Nullable String password;
  private final ArrayBlockingQueue<Connection> idle = new ArrayBlockingQueue<>(8);

  /** A pool for {@code url}; a null {@code user} means the URL carries the credentials. */
  public PooledDataSource(String url, @Nullable String user, @Nullable String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = idle.poll();
    if (c == null || c.isClosed()) {
      c = user == null
          ? DriverManager.getConnection(url)
          : DriverManager.getConnection(url, user, password);
    }
    Connection physical = c;
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, m, args) -> {
              if (m.getName().equals("close") && m.getParameterCount() == 0) {
                if (!physical.getAutoCommit()) {
                  physical.rollback();
                  physical.setAutoCommit(true);
                }
                if (!idle.offer(physical)) {
                  physical.close();
                }
                return null;
              }
              try {
                return m.invoke(physical, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("use getConnection()");
  }

  /** Closes the idle connections. */
  @Override
  public void close() throws SQLException {
    Connection c;
    while ((c = idle.poll()) != null) {
      c.close();
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return new PrintWriter(System.err);
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

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
