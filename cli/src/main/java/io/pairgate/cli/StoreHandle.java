package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Path;
import java.time.Duration;
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
      b = JdbcPairingStore.url(url);
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
}
