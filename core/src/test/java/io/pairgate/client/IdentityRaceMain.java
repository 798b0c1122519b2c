package io.pairgate.client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Child-process entry point for {@link DeviceIdentityTest}: prints {@code ready}, waits until the
 * go file exists, calls {@link DeviceIdentity#loadOrCreate} and prints the device id.
 */
public final class IdentityRaceMain {
  private IdentityRaceMain() {}

  /** Arguments: identity file, go file. */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Path go = Path.of(args[1]);
    System.out.println("ready");
    System.out.flush();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        System.err.println("go file never appeared");
        System.exit(2);
      }
      Thread.onSpinWait();
    }
    DeviceIdentity id = DeviceIdentity.loadOrCreate(file, Clock.systemUTC());
    System.out.println(id.deviceId().value());
  }
}
