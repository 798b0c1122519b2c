package io.pairgate.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Runs the CLI in-process against one store directory. */
final class CliRunner {
  record Result(int code, String out, String err) {
    JsonNode json() {
      return Out.JSON.readTree(out);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  final Path store;
  final Clock clock;
  final Map<String, String> env = new HashMap<>();

  CliRunner(Path store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Runs {@code pairgate --store <store> args…}. */
  Result run(String... args) {
    List<String> all = new ArrayList<>();
    all.add("--store");
    all.add(store.toString());
    all.addAll(List.of(args));
    return runRaw(all.toArray(new String[0]));
  }

  /** Runs {@code pairgate args…} exactly as given. */
  Result runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env, clock);
    return new Result(code, out.toString(), err.toString());
  }
}
