package io.pairgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder while the dependency lands. */
@Command(name = "scenario", description = "(pending)")
final class ScenarioCommand implements Callable<Integer> {
  private final Cli cli;

  ScenarioCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    cli.err.println("pending");
    return Main.FAILED;
  }
}
