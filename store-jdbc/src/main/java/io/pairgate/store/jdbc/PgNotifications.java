package io.pairgate.store.jdbc;

import io.pairgate.DeviceId;
import io.pairgate.spi.ChangeListener;
import io.pairgate.spi.ChangeSubscription;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL change notifications: every compare-and-set sends {@code NOTIFY} on
 * {@value #CHANNEL} with the device id inside its transaction (delivered on commit only), and a
 * subscription holds one connection that {@code LISTEN}s and polls the driver
 * ({@code org.postgresql.PGConnection#getNotifications(int)}, reached reflectively so that the
 * driver stays a runtime choice of the user). After a lost connection it reconnects with a back-off
 * and reports {@link ChangeListener#missed()}.
 */
final class PgNotifications implements ChangeSubscription {
  static final String CHANNEL = "pairgate_device_changed";
  static final String NOTIFY_SQL = "SELECT pg_notify('" + CHANNEL + "', ?)";
  private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MS = 250;

  private final DataSource dataSource;
  private final ChangeListener listener;
  private final Thread thread;
  private volatile boolean closed;
  private volatile @Nullable Connection current;

  PgNotifications(DataSource dataSource, ChangeListener listener) {
    this.dataSource = dataSource;
    this.listener = listener;
    this.thread = new Thread(this::run, "pairgate-pg-listen");
    thread.setDaemon(true);
  }

  /** Starts listening; returns once the first LISTEN is in place (or failed and will retry). */
  PgNotifications start() {
    Object started = new Object();
    synchronized (started) {
      startedSignal = started;
      thread.start();
      try {
        started.wait(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return this;
  }

  private volatile @Nullable Object startedSignal;

  private void signalStarted() {
    Object s = startedSignal;
    if (s != null) {
      synchronized (s) {
        s.notifyAll();
      }
      startedSignal = null;
    }
  }

  private void run() {
    long backoffMs = 100;
    boolean first = true;
    while (!closed) {
      Connection c = null;
      try {
        c = dataSource.getConnection();
        current = c;
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + CHANNEL);
        }
        Class<?> pgClass = Class.forName("org.postgresql.PGConnection", true,
            c.getClass().getClassLoader());
        Object pg = c.unwrap(pgClass);
        Method poll = pgClass.getMethod("getNotifications", int.class);
        Method param = null;
        if (!first) {
          listener.missed();
        }
        first = false;
        signalStarted();
        backoffMs = 100;
        while (!closed) {
          Object arr = poll.invoke(pg, POLL_MS);
          if (arr == null) {
            continue;
          }
          for (int i = 0; i < Array.getLength(arr); i++) {
            Object n = Array.get(arr, i);
            if (param == null) {
              param = Class.forName("org.postgresql.PGNotification", true,
                  c.getClass().getClassLoader()).getMethod("getParameter");
            }
            String id = (String) param.invoke(n);
            if (id != null && DeviceId.isWellFormed(id)) {
              try {
                listener.changed(DeviceId.parse(id));
              } catch (RuntimeException e) {
                LOG.warn("change listener failed for device {}: {}", id, e.toString());
              }
            }
          }
        }
      } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        LOG.warn("PostgreSQL change notifications interrupted ({}); reconnecting in {} ms",
            e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                ? ite.getCause().toString() : e.toString(), backoffMs);
        signalStarted();
        sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
      } finally {
        release(c);
        current = null;
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void release(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try (Statement st = c.createStatement()) {
      st.execute("UNLISTEN *");
    } catch (SQLException | RuntimeException e) {
      // the connection is broken; closing it is all that is left
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing the LISTEN connection failed", e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      thread.join(POLL_MS * 4L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
