package io.pairgate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A tiny SLF4J provider for core's tests: keeps INFO and higher lines in memory (bounded) and
 * prints nothing, so tests can assert what was logged and stay quiet.
 */
public final class CapturingLogs implements SLF4JServiceProvider {
  /** A captured line. */
  record Line(Level level, String logger, String message) {}

  private static final List<Line> LINES = new ArrayList<>();
  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, CapturingLogger::new);
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Every line captured so far (a copy). */
  static List<Line> lines() {
    synchronized (LINES) {
      return List.copyOf(LINES);
    }
  }

  /** Captured lines whose message contains {@code fragment}. */
  static List<Line> containing(String fragment) {
    return lines().stream().filter(l -> l.message().contains(fragment)).toList();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class CapturingLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    CapturingLogger(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return CapturingLogger.class.getName();
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String messagePattern, Object[] arguments,
        Throwable throwable) {
      String message = MessageFormatter.basicArrayFormat(messagePattern, arguments);
      synchronized (LINES) {
        if (LINES.size() >= 100_000) {
          LINES.subList(0, 50_000).clear();
        }
        LINES.add(new Line(level, name, message));
      }
    }
  }
}
