package io.pairgate.store.json;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Where everything lives in a store directory; see {@code docs/store-json.md}. */
final class Layout {
  /** The format name in {@code store.json}. */
  static final String STORE_FORMAT = "pairgate-json-store";
  /** The format name in every device file. */
  static final String DEVICE_FORMAT = "pairgate-device";
  /**
   * The newest format version this code reads and the one it writes. Version 2 stores a device
   * token as its hash ({@code "hash"}) and added {@code browserOrigin} (paired and pending) and
   * {@code lastSeenReason} (paired); version 1 held the plaintext ({@code "secret"}), lacks those
   * fields (read as empty), and is upgraded when a store is opened read-write. Version 3 is the
   * record format shared with store-jdbc (core's {@code RecordJson}: ISO-8601 instants instead of
   * epoch milliseconds); version 2 files are read and rewritten in version 3 on their next write.
   */
  static final long FORMAT_VERSION = io.pairgate.internal.json.RecordJson.FORMAT_VERSION;
  /** The format version that held token secrets in plaintext. */
  static final long PLAINTEXT_TOKENS_VERSION = 1;

  static final String MANIFEST = "store.json";
  static final String LOCK = ".lock";
  static final String JOURNAL = "changes.journal";
  static final String DEVICES = "devices";
  static final String QUARANTINE = "quarantine";

  private static final Pattern SHARD = Pattern.compile("[0-9a-f]{2}");
  private static final Pattern DEVICE_FILE = Pattern.compile("[0-9a-f]{64}\\.json");
  private static final Pattern TEMP_FILE = Pattern.compile("\\..+\\.[0-9a-z]+\\.tmp");

  final Path root;
  final Path manifest;
  final Path lock;
  final Path journal;
  final Path devices;
  final Path quarantine;

  Layout(Path root) {
    this.root = root;
    this.manifest = root.resolve(MANIFEST);
    this.lock = root.resolve(LOCK);
    this.journal = root.resolve(JOURNAL);
    this.devices = root.resolve(DEVICES);
    this.quarantine = root.resolve(QUARANTINE);
  }

  /** {@code devices/<first two hex digits>/}. */
  Path shardDir(String deviceId) {
    return devices.resolve(deviceId.substring(0, 2));
  }

  /** {@code devices/<first two hex digits>/<deviceId>.json}. */
  Path deviceFile(String deviceId) {
    return shardDir(deviceId).resolve(deviceId + ".json");
  }

  static boolean isShardName(String name) {
    return SHARD.matcher(name).matches();
  }

  static boolean isDeviceFileName(String name) {
    return DEVICE_FILE.matcher(name).matches();
  }

  /** Whether {@code name} is a temp file left by {@link Fs#writeDurably}. */
  static boolean isTempFileName(String name) {
    return TEMP_FILE.matcher(name).matches();
  }

  /** The device id in a device file name ({@code <id>.json}). */
  static String deviceIdOf(String fileName) {
    return fileName.substring(0, 64);
  }
}
