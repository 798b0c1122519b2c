package io.pairgate.bench;

import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.PairedDevice;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.json.JsonPairingStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Store-json directories with many paired devices, made once and reused.
 *
 * <p>Pairing 100 000 devices through the API costs three fsynced writes each (minutes), so the golden
 * directory is made like this: the first 100 devices are paired through {@code PairingService}
 * on a real {@link JsonPairingStore}; then device 0's file, exactly as the store wrote it, is the
 * template for the others, with its identity strings (device id, public key, token hash,
 * request id) replaced by each new device's own. The store then opens the result (which parses
 * and validates every file) and a sample of devices is loaded and checked. The golden directory
 * is cached under {@link BenchDirs#base()}, keyed by a fingerprint of the template, so a change of
 * the file format makes a new one. Benchmarks work on a hard-linked clone: the store replaces
 * files by atomic rename and never writes into an existing one, so the golden files stay intact.
 */
public final class JsonFixture {
  /** Devices paired through the API before the template is used. */
  static final int THROUGH_API = 100;

  private JsonFixture() {}

  /** A store directory with {@code devices} paired devices (cached; do not modify it). */
  public static synchronized Path golden(int devices) {
    String run = System.getenv("PAIRGATE_BENCH_RUN");
    Path memo = run == null || run.isBlank()
        ? null : BenchDirs.base().resolve("run-" + run).resolve("golden-" + devices);
    try {
      if (memo != null && Files.exists(memo)) {
        return Path.of(Files.readString(memo));
      }
      Path g = makeGolden(devices);
      if (memo != null) {
        Files.createDirectories(memo.getParent());
        Files.writeString(memo, g.toString());
      }
      return g;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path makeGolden(int devices) {
    try {
      Path work = BenchDirs.fresh("fixtures/json-template-" + devices);
      Template t = template(work, Math.min(devices, THROUGH_API));
      Path golden = BenchDirs.base().resolve("fixtures/json-" + devices + "-" + t.fingerprint);
      if (Files.exists(golden.resolve("complete"))) {
        BenchDirs.delete(work);
        return golden;
      }
      SplittableRandom rnd = new SplittableRandom(devices);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      for (int i = THROUGH_API; i < devices; i++) {
        byte[] raw = new byte[32];
        rnd.nextBytes(raw);
        DevicePublicKey key = DevicePublicKey.ofRaw(raw);
        String id = DeviceId.of(key).value();
        byte[] secret = new byte[32];
        rnd.nextBytes(secret);
        String text =
            t.text
                .replace(t.id, id)
                .replace(t.key, key.base64Url())
                .replace(t.token, io.pairgate.TokenHash.of(b64.encodeToString(secret)).encoded())
                .replace(t.requestId, new UUID(rnd.nextLong(), rnd.nextLong()).toString());
        Path f = work.resolve("devices").resolve(id.substring(0, 2)).resolve(id + ".json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
      }
      verify(work, devices);
      BenchDirs.delete(golden);
      Files.createDirectories(golden.getParent());
      Files.move(work, golden, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(golden.resolve("complete"), "");
      return golden;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A working copy of a {@code devices}-device directory, and whether its user must delete it. */
  public record Copy(Path dir, boolean owned) {}

  /**
   * A writable copy of the {@code devices}-device directory. Inside one {@code bench/run.sh} run
   * ({@code $PAIRGATE_BENCH_RUN} set) every benchmark fork shares one copy, which run.sh deletes
   * at the end (so benchmarks that add devices leave the count a fraction of a percent higher for
   * the next); otherwise each caller gets its own clone and must delete it.
   */
  public static Copy workingCopy(int devices) {
    String run = System.getenv("PAIRGATE_BENCH_RUN");
    Path golden = golden(devices);
    if (run == null || run.isBlank()) {
      return new Copy(cloneOf(golden, "json-" + devices + "-copy"), true);
    }
    Path dir = BenchDirs.base().resolve("run-" + run).resolve("json-" + devices);
    Path done = dir.resolveSibling("json-" + devices + ".ready");
    if (!Files.exists(done)) {
      try {
        Files.createDirectories(dir.getParent());
        cloneInto(golden, dir);
        Files.writeString(done, golden.getFileName().toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new Copy(dir, false);
  }

  /** A hard-linked clone of {@code golden} at {@code BenchDirs.base()/name}, safe to modify. */
  public static Path cloneOf(Path golden, String name) {
    Path dst = BenchDirs.fresh(name);
    cloneInto(golden, dst);
    return dst;
  }

  private static void cloneInto(Path golden, Path dst) {
    BenchDirs.delete(dst);
    try (Stream<Path> all = Files.walk(golden)) {
      for (Path src : (Iterable<Path>) all::iterator) {
        Path rel = golden.relativize(src);
        Path d = dst.resolve(rel.toString());
        String n = src.getFileName().toString();
        if (Files.isDirectory(src)) {
          Files.createDirectories(d);
        } else if (n.equals("complete") || n.equals(".lock")) {
          continue;
        } else if (rel.getNameCount() > 1 && n.endsWith(".json")) {
          Files.createLink(d, src); // a device file: replaced by rename, never written in place
        } else {
          Files.copy(src, d); // manifest, change journal (memory-mapped and written in place)
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Template(
      String text, String id, String key, String token, String requestId, String fingerprint) {}

  private static Template template(Path dir, int n) throws IOException {
    DeviceId first;
    try (JsonPairingStore store = JsonPairingStore.open(dir)) {
      PairingService service = PairingService.builder(store).build();
      Fleet.Paired[] paired = Fleet.pairMany(service, 0, n, Clock.systemUTC(), false, true);
      first = paired[0].id();
    }
    DeviceRecord rec;
    try (JsonPairingStore store = JsonPairingStore.builder(dir).readOnly().open()) {
      rec = store.load(first).orElseThrow();
    }
    PairedDevice p = rec.paired();
    if (p == null || rec.resolved().size() != 1) {
      throw new IllegalStateException("unexpected template record " + rec);
    }
    Path file = dir.resolve("devices").resolve(first.value().substring(0, 2))
        .resolve(first.value() + ".json");
    String text = Files.readString(file);
    String id = first.value();
    String key = p.publicKey().base64Url();
    String token = p.tokens().get(Role.OPERATOR).hash().encoded(); // the stored form
    String requestId = rec.resolved().get(0).requestId().value();
    for (String s : List.of(id, key, token, requestId)) {
      if (!text.contains(s)) {
        throw new IllegalStateException("template file does not contain " + s + ":\n" + text);
      }
    }
    String shape = text.replace(id, "ID").replace(key, "KEY").replace(token, "TOKEN")
        .replace(requestId, "REQ").replaceAll("\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\"]*\"", "T")
        .replaceAll("[0-9]{13}(\\.[0-9]+)?", "T");
    String fingerprint;
    try {
      fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(shape.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new Template(text, id, key, token, requestId, fingerprint);
  }

  /** Opens the directory (parsing every file) and checks a sample of generated devices. */
  private static void verify(Path dir, int devices) {
    try (JsonPairingStore store = JsonPairingStore.builder(dir).readOnly().open()) {
      List<DeviceRecord> page = store.list("", 1000);
      int checked = 0;
      for (DeviceRecord r : page) {
        PairedDevice p = r.paired();
        if (p == null || !DeviceId.of(p.publicKey()).equals(r.deviceId())
            || p.tokens().get(Role.OPERATOR) == null || r.resolved().size() != 1) {
          throw new IllegalStateException("generated record is not a paired device: " + r);
        }
        checked++;
      }
      int total = 0;
      String after = "";
      while (true) {
        List<DeviceRecord> l = store.list(after, 5000);
        total += l.size();
        if (l.size() < 5000) {
          break;
        }
        after = l.get(l.size() - 1).deviceId().value();
      }
      if (total != devices || checked == 0) {
        throw new IllegalStateException("expected " + devices + " devices, found " + total);
      }
    }
  }
}
