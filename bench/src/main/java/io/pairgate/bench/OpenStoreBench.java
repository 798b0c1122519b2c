package io.pairgate.bench;

import io.pairgate.store.json.JsonPairingStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code openStore}: opening (and closing) a store-json directory of 100 000 paired devices, which
 * reads and parses every device file to build the request-id index. One open per iteration
 * ({@code SingleShotTime}); the directory is made once ({@link JsonFixture}) and reused by every
 * iteration. The files are in the page cache (warm open, as after a gateway restart; a cold open
 * after boot also pays the disk reads). The limit {@link #limitReadAllFiles} only lists the
 * directory and reads every file's bytes, with as many threads as the store's scan uses by
 * default (one per processor), on the cached original directory (reading changes nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class OpenStoreBench {
  /** Number of devices in the directory. */
  @Param({"100000"})
  public int devices;

  private JsonFixture.Copy copy;
  private Path dir;
  private Path golden;
  private ExecutorService pool;

  /** Finds (or makes) the directory and a writable copy of it. */
  @Setup(Level.Trial)
  public void setUp() {
    golden = JsonFixture.golden(devices);
    copy = JsonFixture.workingCopy(devices);
    dir = copy.dir();
    pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
  }

  /** Removes the copy if it is this benchmark's own. */
  @TearDown(Level.Trial)
  public void tearDown() {
    pool.shutdownNow();
    if (copy.owned()) {
      BenchDirs.delete(dir);
    }
  }

  /** Opens and closes the store. */
  @Benchmark
  public Object openStore() {
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      return s.directory();
    }
  }

  /** Limit: list the shard directories and read every file's bytes, on one thread per CPU. */
  @Benchmark
  public long limitReadAllFiles() throws Exception {
    List<Path> shards = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(golden.resolve("devices"))) {
      for (Path p : ds) {
        shards.add(p);
      }
    }
    List<Future<Long>> parts = new ArrayList<>();
    for (Path shard : shards) {
      parts.add(pool.submit(() -> readAll(shard)));
    }
    long total = 0;
    for (Future<Long> f : parts) {
      total += f.get();
    }
    return total;
  }

  private static long readAll(Path shard) {
    long n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(shard)) {
      for (Path f : ds) {
        n += Files.readAllBytes(f).length;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }
}
