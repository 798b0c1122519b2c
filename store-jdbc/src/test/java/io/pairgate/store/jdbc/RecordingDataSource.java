package io.pairgate.store.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} decorator (plain JDK proxies) that records what the store does on its
 * connections: every SQL text it prepares or executes, every commit, every switch to manual
 * commit. Tests use the log to prove that a code path issued no write; an optional hook runs
 * before each commit, on the committing connection.
 */
final class RecordingDataSource implements DataSource {
  private final DataSource target;
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private volatile Consumer<Connection> beforeCommit = c -> {};

  RecordingDataSource(DataSource target) {
    this.target = target;
  }

  /** Everything recorded since the last {@link #clear()}, in order. */
  List<String> events() {
    return new ArrayList<>(events);
  }

  void clear() {
    events.clear();
  }

  void beforeCommit(Consumer<Connection> hook) {
    this.beforeCommit = hook;
  }

  /** The recorded events that write: DML/DDL statements, commits and manual-commit switches. */
  List<String> writes() {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      String u = e.toUpperCase(Locale.ROOT);
      if (u.startsWith("SQL:")) {
        String sql = u.substring(4).strip();
        if (sql.startsWith("SELECT") || sql.startsWith("PRAGMA BUSY_TIMEOUT")
            || sql.startsWith("PRAGMA SYNCHRONOUS")) {
          continue;
        }
        out.add(e);
      } else if (u.equals("COMMIT") || u.equals("AUTOCOMMIT:FALSE")) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(target.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(target.getConnection(user, password));
  }

  private Connection wrap(Connection real) {
    InvocationHandler h = (proxy, m, args) -> {
      switch (m.getName()) {
        case "prepareStatement" -> events.add("sql:" + args[0]);
        case "commit" -> {
          beforeCommit.accept(real);
          events.add("commit");
        }
        case "setAutoCommit" -> {
          if (!(Boolean) args[0]) {
            events.add("autocommit:false");
          }
        }
        default -> { }
      }
      Object result;
      try {
        result = m.invoke(real, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (m.getName().equals("createStatement") && result instanceof Statement s) {
        return wrapStatement(s);
      }
      return result;
    };
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Connection.class}, h);
  }

  private Statement wrapStatement(Statement real) {
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getName().startsWith("execute") && args != null && args.length > 0
          && args[0] instanceof String sql) {
        events.add("sql:" + sql);
      }
      try {
        return m.invoke(real, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Statement.class}, h);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return target.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    target.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    target.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return target.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return target.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target.isWrapperFor(iface);
  }
}
