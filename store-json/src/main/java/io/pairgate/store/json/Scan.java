package io.pairgate.store.json;

import io.pairgate.StoreCorruptException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads every device file of a store, in parallel over the shard directories: what the index is
 * built from at open, and what {@link JsonPairingStore#check()} reports on.
 */
final class Scan {
  final Index index = new Index();
  /** Unreadable device files by device id. */
  final ConcurrentHashMap<String, StoreProblem> corrupt = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<StoreProblem> problems = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Path> tempFiles = new ConcurrentLinkedQueue<>();
  /** Device ids whose files are of formatVersion 1 (plaintext token secrets): to upgrade. */
  final ConcurrentLinkedQueue<String> plaintextTokens = new ConcurrentLinkedQueue<>();

  private boolean fullValidation;

  private Scan() {}

  /**
   * Scans {@code layout.devices} with {@code threads} threads. With {@code fullValidation} every
   * file is read completely (as {@code check} does); otherwise a streaming pass checks syntax,
   * format and device id and collects the request ids, leaving the rest of the schema to be
   * checked when a record is read.
   */
  static Scan run(Layout layout, int threads, boolean fullValidation) throws IOException {
    Scan scan = new Scan();
    scan.fullValidation = fullValidation;
    List<Path> shards = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(layout.devices)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (Layout.isShardName(name) && Files.isSymbolicLink(p)) {
          StoreProblem pr = new StoreProblem(p, StoreProblem.Kind.UNREADABLE,
              "unreadable: refused: a symbolic link where a shard directory belongs (the store"
                  + " never follows links; remove it)");
          scan.problems.add(pr);
        } else if (Layout.isShardName(name) && Files.isDirectory(p)) {
          shards.add(p);
        } else if (Layout.isTempFileName(name)) {
          scan.tempFiles.add(p);
        } else {
          scan.problems.add(new StoreProblem(p, StoreProblem.Kind.UNEXPECTED_FILE,
              "unexpected file: not a shard directory (two lowercase hex digits); ignored"));
        }
      }
    } catch (NoSuchFileException e) {
      return scan;
    }
    shards.sort(Comparator.naturalOrder());
    int n = Math.max(1, Math.min(threads, shards.size()));
    if (n == 1) {
      for (Path s : shards) {
        scan.shard(s);
      }
      return scan;
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "pairgate-json-scan");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(pool.submit(() -> {
          int k;
          while ((k = next.getAndIncrement()) < shards.size()) {
            scan.shard(shards.get(k));
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof IOException io) {
            throw io;
          }
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new IOException(c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while scanning " + layout.devices, e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return scan;
  }

  private void shard(Path dir) throws IOException {
    String shard = dir.getFileName().toString();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        files.add(p);
      }
    } catch (NoSuchFileException e) {
      return;
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (Layout.isTempFileName(name)) {
        tempFiles.add(p);
        continue;
      }
      if (!Layout.isDeviceFileName(name)) {
        problems.add(new StoreProblem(p, StoreProblem.Kind.UNEXPECTED_FILE,
            "unexpected file: not a device file (<64 lowercase hex digits>.json); ignored"));
        continue;
      }
      String id = Layout.deviceIdOf(name);
      if (!id.startsWith(shard)) {
        StoreProblem pr = new StoreProblem(p, StoreProblem.Kind.MISPLACED,
            "misplaced: a device file in the wrong directory (it belongs in " + id.substring(0, 2)
                + "/)");
        problems.add(pr);
        corrupt.put(id, pr);
        continue;
      }
      read(p, id);
    }
  }

  private void read(Path p, String id) {
    byte[] bytes;
    try {
      bytes = Fs.readIfExists(p);
    } catch (IOException e) {
      add(id, new StoreProblem(p, StoreProblem.Kind.UNREADABLE, "unreadable: " + e));
      return;
    } catch (StoreInsecureException e) {
      add(id, new StoreProblem(p, StoreProblem.Kind.UNREADABLE, "unreadable: refused: a symbolic"
          + " link where a device file belongs (the store never follows links; remove it)"));
      return;
    }
    if (bytes == null) {
      return; // deleted since listed
    }
    try {
      Json.DeviceSummary d = RecordCodec.summary(bytes, p.toString(), id);
      if (d.formatVersion() <= Layout.PLAINTEXT_TOKENS_VERSION) {
        plaintextTokens.add(id);
      }
      if (fullValidation) {
        index.put(id, RecordCodec.decode(bytes, p.toString(), id));
      } else {
        Json.PendingSummary q = d.pending();
        index.put(id, true, d.requestIds(),
            q == null ? null : new Index.Pending(q.expiresAt(), q.remoteAddress()));
      }
    } catch (StoreCorruptException e) {
      add(id, problemOf(p, e));
    } catch (StoreFormatException e) {
      add(id, new StoreProblem(p, StoreProblem.Kind.NEWER_FORMAT, message(e, p)));
    }
  }

  private void add(String id, StoreProblem p) {
    problems.add(p);
    corrupt.put(id, p);
  }

  /** The problem a corrupt-file exception describes. */
  static StoreProblem problemOf(Path p, StoreCorruptException e) {
    StoreProblem.Kind kind = StoreProblem.Kind.SCHEMA;
    if (e.getCause() instanceof Json.ParseFailure pf) {
      kind = pf.truncated ? StoreProblem.Kind.TRUNCATED : StoreProblem.Kind.UNPARSABLE;
    } else if (e.getCause() instanceof RecordCodec.Misplaced) {
      kind = StoreProblem.Kind.MISPLACED;
    }
    return new StoreProblem(p, kind, message(e, p));
  }

  /** The exception message without the leading {@code "<file>: "}. */
  static String message(Exception e, Path p) {
    String m = String.valueOf(e.getMessage());
    String prefix = p + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  /** Problems sorted by file name. */
  List<StoreProblem> sortedProblems() {
    List<StoreProblem> out = new ArrayList<>(problems);
    out.sort(Comparator.comparing((StoreProblem x) -> x.file().toString())
        .thenComparing(StoreProblem::kind));
    return Collections.unmodifiableList(out);
  }
}
