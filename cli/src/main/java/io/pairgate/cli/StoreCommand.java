package io.pairgate.cli;

import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.json.JsonPairingStore;
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
        OpenClawCommands.Export.class
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

  /** One problem found by a check, wherever it came from. */
  record Problem(String location, String kind, String message) {
    @Override
    public String toString() {
      return location + ": " + kind + ": " + message;
    }
  }

  /** The store directory the options select, or null for a JDBC store. */
  static @Nullable Path jsonDir(Cli cli) {
    if (cli.jdbcUrl != null) {
      return null;
    }
    return cli.storeDir != null ? cli.storeDir : cli.home();
  }

  /**
   * Validates every record of the selected store without opening it for writing: every file of a
   * store-json directory, every row of a JDBC store. Returns the problems and the number of
   * records read.
   */
  static List<Problem> check(Cli cli, int[] recordCount) {
    Path dir = jsonDir(cli);
    List<Problem> out = new ArrayList<>();
    if (dir != null) {
      if (!Files.isDirectory(dir)) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no store at " + dir
            + " (not a directory; choose one with --store DIR or $PAIRGATE_HOME)");
      }
      for (StoreProblem p : JsonPairingStore.check(dir)) {
        out.add(new Problem(p.file().toString(),
            p.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), p.message()));
      }
      recordCount[0] = countDeviceFiles(dir);
      return out;
    }
    try (StoreHandle h = cli.openStore()) {
      PairingStore store = h.store();
      String after = "";
      int n = 0;
      while (true) {
        List<DeviceRecord> page;
        try {
          page = store.list(after, 500);
        } catch (StoreException e) {
          out.add(new Problem(h.description(), "unreadable", e.getMessage()));
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
      List<Problem> problems = check(cli, n);
      if (json) {
        ObjectNode o = Out.object();
        o.put("store", where);
        o.put("healthy", problems.isEmpty());
        o.put("records", n[0]);
        ArrayNode a = o.putArray("problems");
        for (Problem p : problems) {
          ObjectNode po = a.addObject();
          po.put("location", p.location());
          po.put("kind", p.kind());
          po.put("message", p.message());
        }
        cli.out.println(Out.pretty(o));
      } else {
        for (Problem p : problems) {
          cli.out.println(p);
        }
        if (problems.isEmpty()) {
          cli.out.println("Store " + where + " is healthy: " + n[0] + " device record(s) read.");
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
      Path dir = jsonDir(cli);
      if (dir == null) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
            "quarantine applies to store-json directories; in a JDBC store, repair the row with SQL");
      }
      Path file;
      if (target.endsWith(".json") || target.contains("/")) {
        file = Path.of(target);
      } else {
        DeviceId id = DeviceId.parse(target.strip().toLowerCase(java.util.Locale.ROOT));
        file = dir.resolve("devices").resolve(id.value().substring(0, 2)).resolve(id.value() + ".json");
        if (!Files.exists(file)) {
          for (StoreProblem p : JsonPairingStore.check(dir)) {
            if (p.file().getFileName().toString().equals(id.value() + ".json")) {
              file = p.file();
              break;
            }
          }
        }
        if (!Files.exists(file)) {
          throw new PairgateException(ErrorCode.UNKNOWN_DEVICE,
              "the store " + dir + " has no file for device " + id);
        }
      }
      Path moved = JsonPairingStore.quarantine(dir, file);
      cli.out.println("Moved " + file + " to " + moved + ".");
      cli.out.println("The device is now unknown to the store: it must pair again, or repair the"
          + " file and move it back by hand.");
      return Main.OK;
    }
  }
}
