package io.pairgate.bench;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.spi.PairingStore;

/**
 * Opens the stores the benchmarks compare, by name: {@code memory} (the in-memory store). Durable
 * stores are added here as their modules land.
 */
public final class Stores {
  private Stores() {}

  /** An open store plus whatever must be cleaned up with it. */
  public interface Opened extends AutoCloseable {
    /** The store. */
    PairingStore store();

    /** Whether every committed change is written to disk (each write costs an fsync or more). */
    default boolean durable() {
      return true;
    }

    @Override
    void close() throws Exception;
  }

  /**
   * Opens the store called {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Opened open(String name) throws Exception {
    switch (name) {
      case "memory":
        InMemoryPairingStore s = new InMemoryPairingStore();
        return new Opened() {
          @Override
          public PairingStore store() {
            return s;
          }

          @Override
          public boolean durable() {
            return false;
          }

          @Override
          public void close() {}
        };
      default:
        throw new IllegalArgumentException("unknown store " + name);
    }
  }
}
