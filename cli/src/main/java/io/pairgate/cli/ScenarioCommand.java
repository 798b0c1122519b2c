package io.pairgate.cli;

import io.pairgate.testkit.ScenarioResult;
import io.pairgate.testkit.ScenarioRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pairgate scenario run <file|dir>…}: the testkit's scenario vectors against the service. */
@Command(name = "scenario", description = "Run the testkit's language-neutral scenario vectors.",
    subcommands = {ScenarioCommand.Run.class, HelpCmd.class})
final class ScenarioCommand implements Runnable {
  private final Cli cli;
  @Spec CommandSpec spec;

  ScenarioCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(cli.out);
  }

  @Command(name = "run",
      description = "Run vector files, or every *.json under directories; without arguments, the"
          + " vectors bundled with the testkit. Prints PASS/FAIL per vector and 'N passed, N failed'.")
  static final class Run implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<file|dir>", arity = "0..*") List<Path> paths = new ArrayList<>();

    Run(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      ScenarioRunner runner = ScenarioRunner.inMemory();
      List<ScenarioResult> results = new ArrayList<>();
      if (paths.isEmpty()) {
        results.addAll(runner.runBundled());
      } else {
        for (Path p : paths) {
          if (!Files.exists(p)) {
            throw new Errors.UsageException("no such file or directory: " + p);
          }
          results.addAll(runner.runAll(p));
        }
      }
      int passed = 0;
      int failed = 0;
      for (ScenarioResult r : results) {
        if (r.passed()) {
          passed++;
          cli.out.println("PASS " + r.name());
        } else {
          failed++;
          cli.out.println(r.status() + " " + r.name() + ": " + r.message()
              + (r.name().equals(r.source()) ? "" : " (" + r.source() + ")"));
        }
      }
      cli.out.println(passed + " passed, " + failed + " failed");
      return failed == 0 && !results.isEmpty() ? Main.OK : Main.FAILED;
    }
  }
}
