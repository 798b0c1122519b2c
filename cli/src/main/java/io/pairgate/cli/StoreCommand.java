package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.json.JsonPairingStore;
import io.pairgate.store.json.OpenClawFiles;
import io.pairgate.store.json.StoreProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code pairgate store …}: validate, quarantine, import and export. */
@Command(
    name = "store",
    description = "Check the store, quarantine a damaged device file, import from or export to OpenClaw.",
    subcommands = {
        StoreCommand.Check.class,
        StoreCommand.Quarantine.class,
        OpenClawCommands.Import.class,
        OpenClawCommands.Export.class,
        HelpCmd.class
    })
final class StoreCommand implements Runnable {
  private final Cli cli;
  @Spec CommandSpec spec;

  StoreCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(cli.out);
  }

  /**
   * One problem found by a check, wherever it came from. A {@code note} is harmless (a stray file
   * the store ignores, such as an editor backup, {@code .DS_Store} or a README): reported, but the
   * store is healthy.
   */
  record Problem(String location, String kind, String message, boolean note) {
    /** {@code location: message}; the message already starts with what kind of problem it is. */
    @Override
    public String toString() {
      return location + ": " + message;
    }
  }

  /** The store directory the options select, or null for a JDBC store. */
  static @Nullable Path jsonDir(Cli cli) {
    cli.checkStoreOptions();
    if (cli.jdbcUrl != null) {
      return null;
    }
    return cli.storeDir != null ? cli.storeDir : cli.home();
  }

  /**
   * Validates every record of the selected store without opening it for writing: every file of a
   * store-json directory, every row of a JDBC store. Returns the problems (and notes) and the
   * number of records read.
   */
  static List<Problem> check(Cli cli, int[] recordCount) {
    Path dir = jsonDir(cli);
    List<Problem> out = new ArrayList<>();
    if (dir != null) {
      if (!Files.isDirectory(dir)) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + dir
            + " (not a directory; choose one with --store DIR or $PAIRGATE_HOME)");
      }
      for (StoreProblem p : JsonPairingStore.check(dir)) {
        boolean note = p.kind() == StoreProblem.Kind.UNEXPECTED_FILE;
        out.add(new Problem(p.file().toString(),
            p.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), p.message(),
            note));
      }
      recordCount[0] = countDeviceFiles(dir);
      return out;
    }
    try (StoreHandle h = cli.openForReading()) {
      PairingStore store = h.store();
      String after = "";
      int n = 0;
      while (true) {
        List<DeviceRecord> page;
        try {
          page = store.list(after, 500);
        } catch (StoreException e) {
          out.add(new Problem(h.description(), "unreadable", "unreadable: " + e.getMessage(),
              false));
          break;
        }
        n += page.size();
        if (n > 0 && n % 10_000 < page.size()) {
          cli.progress("  checked " + n + " records…");
        }
        if (page.size() < 500) {
          break;
        }
        after = page.get(page.size() - 1).deviceId().value();
      }
      for (var bad : h.unreadable().entrySet()) {
        out.add(new Problem(bad.getValue().location(), "unreadable",
            "unreadable: " + bad.getValue().getMessage(), false));
      }
      recordCount[0] = n;
    }
    return out;
  }

  private static int countDeviceFiles(Path dir) {
    Path devices = dir.resolve("devices");
    if (!Files.isDirectory(devices)) {
      return 0;
    }
    try (var s = Files.walk(devices, 2)) {
      return (int) s.filter(p -> p.getFileName().toString().endsWith(".json")
          && !p.getFileName().toString().startsWith(".")).count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  @Command(name = "check",
      description = "Validate every file (or row); report each problem with its location. Exit 1 on any.")
  static final class Check implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--json", description = "Print {store, healthy, records, problems[]}.")
    boolean json;

    Check(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Path dir = jsonDir(cli);
      String where = dir != null ? dir.toString() : StoreHandle.redact(cli.jdbcUrl);
      if (!json) {
        cli.progress("Checking " + where + " …");
      }
      int[] n = new int[1];
      List<Problem> all = check(cli, n);
      List<Problem> problems = all.stream().filter(p -> !p.note()).toList();
      if (json) {
        ObjectNode o = Out.object();
        o.put("store", where);
        o.put("healthy", problems.isEmpty());
        o.put("records", n[0]);
        ArrayNode a = o.putArray("problems");
        ArrayNode notes = o.putArray("notes");
        for (Problem p : all) {
          ObjectNode po = (p.note() ? notes : a).addObject();
          po.put("location", p.location());
          po.put("kind", p.kind());
          po.put("message", p.message());
        }
        cli.out.println(Out.pretty(o));
      } else {
        for (Problem p : all) {
          cli.out.println((p.note() ? "note: " : "") + Out.safe(p.toString()));
        }
        if (problems.isEmpty()) {
          cli.out.println("Store " + where + " is healthy: " + n[0] + " device record(s) read"
              + (all.isEmpty() ? "." : "; the notes above are files the store ignores (remove"
                  + " them at leisure)."));
        } else {
          cli.out.println(problems.size() + " problem(s) in " + where + ". A damaged device file can be"
              + " moved aside with 'pairgate store quarantine <deviceId|file>'.");
        }
      }
      return problems.isEmpty() ? Main.OK : Main.FAILED;
    }
  }

  @Command(name = "quarantine",
      description = "Move a device's (damaged) file aside into quarantine/ so the store opens again.")
  static final class Quarantine implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<deviceId|file>",
        description = "The device id, or the file as 'store check' printed it.")
    String target;

    Quarantine(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Path given = jsonDir(cli);
      if (given == null) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
            "quarantine applies to store-json directories; in a JDBC store, repair the row with SQL");
      }
      Path dir = given.toAbsolutePath().normalize();
      Path manifest = dir.resolve("store.json");
      if (!Files.isRegularFile(manifest)) {
        if (Files.isRegularFile(dir.resolve("devices").resolve(OpenClawFiles.PAIRED_FILE))
            || Files.isRegularFile(dir.resolve("devices").resolve(OpenClawFiles.PENDING_FILE))) {
          throw new PairgateException(ErrorCode.INVALID_ARGUMENT, dir + " is an OpenClaw state"
              + " directory, not a Pairgate store: nothing to quarantine; import it into a new store"
              + " with 'pairgate --store NEWDIR store import-openclaw " + dir + "'");
        }
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + dir
            + " (store.json is missing)");
      }
      List<StoreProblem> problems = JsonPairingStore.check(dir);
      for (StoreProblem p : problems) {
        if (p.file().equals(manifest) && p.kind() == StoreProblem.Kind.NEWER_FORMAT) {
          throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "the store at " + dir
              + " was written by a newer Pairgate (" + p.message() + "); quarantining its files"
              + " does not help and would hide devices from that version: run the newer pairgate");
        }
      }
      Path file = resolve(dir, problems);
      if (file.equals(manifest)) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, manifest + " is the store's"
            + " manifest, not a device file: restore it from a backup, or rewrite it as"
            + " docs/store-json.md describes; only files under " + dir.resolve("devices")
            + " can be quarantined");
      }
      StoreProblem problem = null;
      for (StoreProblem p : problems) {
        if (p.file().equals(file)) {
          problem = p;
        }
      }
      Path moved = JsonPairingStore.quarantine(dir, file);
      cli.out.println("Moved " + Out.safe(file.toString()) + " to " + Out.safe(moved.toString())
          + ".");
      String name = file.getFileName().toString();
      String id = name.matches("[0-9a-f]{64}\\.json") ? name.substring(0, 64) : null;
      StoreProblem.Kind kind = problem == null ? null : problem.kind();
      if (kind == StoreProblem.Kind.UNEXPECTED_FILE || id == null) {
        cli.out.println("It was not a device file, so no device changed (the store ignored it).");
      } else if (kind == StoreProblem.Kind.MISPLACED) {
        cli.out.println("It was a device file in the wrong directory (" + problem.message() + ")."
            + " If its content is right, move it to " + dir.resolve("devices")
            .resolve(id.substring(0, 2)).resolve(name) + " to restore device " + id
            + " instead of pairing it again.");
      } else if (kind == StoreProblem.Kind.NEWER_FORMAT) {
        cli.out.println("It was written by a newer Pairgate and is probably intact: device " + id
            + " is unknown to this version; move the file back (to " + file + ") when you run the"
            + " newer version.");
      } else if (kind == null) {
        cli.out.println("The file was readable: device " + id + " is now unknown to the store"
            + " and must pair again (move the file back to " + file + " to undo this).");
      } else {
        cli.out.println("Device " + id + " is now unknown to the store: it must pair again, or"
            + " repair the file and move it back by hand.");
      }
      return Main.OK;
    }

    /**
     * The file {@link #target} names: a path (absolute or relative to the current directory), or
     * a device id or unique prefix of at least 6 hex digits, found by name under devices/.
     */
    private Path resolve(Path dir, List<StoreProblem> problems) {
      String t = target.strip();
      String lower = t.toLowerCase(java.util.Locale.ROOT);
      if (!lower.matches("[0-9a-f]+")) {
        return Path.of(t).toAbsolutePath().normalize();
      }
      if (lower.length() < 6 || lower.length() > 64) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
            "not a device id (64 hex digits, or a unique prefix of at least 6) or file: " + t);
      }
      java.util.TreeSet<Path> matches = new java.util.TreeSet<>();
      Path devices = dir.resolve("devices");
      if (Files.isDirectory(devices)) {
        try (var s = Files.walk(devices, 2)) {
          s.filter(p -> Files.isRegularFile(p)
                  && p.getFileName().toString().startsWith(lower)
                  && p.getFileName().toString().endsWith(".json"))
              .forEach(matches::add);
        } catch (java.io.IOException e) {
          throw new StoreException("cannot list " + devices + ": " + e, true, e);
        }
      }
      for (StoreProblem p : problems) {
        if (p.file().getFileName().toString().startsWith(lower)) {
          matches.add(p.file());
        }
      }
      if (matches.isEmpty()) {
        throw new PairgateException(ErrorCode.UNKNOWN_DEVICE,
            "the store " + dir + " has no file for a device id starting with " + lower);
      }
      if (matches.size() > 1) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "device id prefix " + lower
            + " is ambiguous: " + matches.size() + " files match (" + matches.first() + ", …);"
            + " give more digits");
      }
      return matches.first();
    }
  }
}
