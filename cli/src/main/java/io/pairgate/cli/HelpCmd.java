package io.pairgate.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code help [COMMAND…]}: the usage of a command or subcommand, e.g. {@code pairgate help devices
 * approve} (or {@code pairgate devices help approve}); exit 0. An unknown command is a usage error.
 */
@Command(name = "help", helpCommand = true,
    description = "Print the usage of a command or subcommand, e.g. 'help devices approve'.")
final class HelpCmd implements Callable<Integer> {
  private final Cli cli;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "COMMAND", arity = "0..*",
      description = "The command path, e.g. 'devices approve'.")
  List<String> path = new ArrayList<>();

  HelpCmd(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    CommandLine c = spec.parent().commandLine();
    for (String name : path) {
      CommandLine sub = c.getSubcommands().get(name);
      if (sub == null) {
        throw new Errors.UsageException("no command '" + name + "' in '"
            + c.getCommandSpec().qualifiedName() + "'; its commands: "
            + String.join(", ", c.getSubcommands().keySet()));
      }
      c = sub;
    }
    c.usage(cli.out);
    return Main.OK;
  }
}
