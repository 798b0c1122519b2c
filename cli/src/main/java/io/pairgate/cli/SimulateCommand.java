package io.pairgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder while the dependency lands. */
@Command(name = "simulate", description = "(pending)")
final class SimulateCommand implements Callable<Integer> {
  private final Cli cli;

  SimulateCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    cli.err.println("pending");
    return Main.FAILED;
  }
}
