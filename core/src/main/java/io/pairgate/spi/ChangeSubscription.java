package io.pairgate.spi;

/** A live {@link PairingStore#subscribe subscription}; close it to stop the notifications. */
public interface ChangeSubscription extends AutoCloseable {
  /** Stops the notifications and releases what the subscription holds. Idempotent. */
  @Override
  void close();
}
