package io.pairgate.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code pairgate} command-line tool. Exit codes: 0 success (or healthy), 1 the operation
 * failed or problems were found, 2 the command line was wrong.
 */
public final class Main {
  /** Exit code of a successful run. */
  static final int OK = 0;
  /** Exit code of a failed operation, or of a check that found problems. */
  static final int FAILED = 1;
  /** Exit code of a malformed command line. */
  static final int USAGE = 2;

  private Main() {}

  /** Runs the tool and exits with its exit code. */
  public static void main(String[] args) {
    configureLogging(java.util.Arrays.asList(args).contains("--verbose"));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(args, out, err, System.getenv(), Clock.systemUTC()));
  }

  /** Runs the tool in-process, writing to the given streams; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
    PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    return run(args, o, e, env, clock);
  }

  /** Runs the tool in-process; returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
    Cli cli = new Cli(out, err, env, clock);
    for (String a : args) {
      if (a.equals("--verbose")) {
        cli.verbose = true;
      }
    }
    try {
      return commandLine(cli).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(Cli cli) {
    CommandLine cl = new CommandLine(new PairgateCommand(cli), new Factory(cli));
    cl.setOut(cli.out);
    cl.setErr(cli.err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // 'pairgate gateway' parses its own options (GatewayMain), its --help included: drop the
    // inherited help options there so that --help reaches the gateway's own usage text
    CommandSpec gateway = cl.getSubcommands().get("gateway").getCommandSpec();
    for (OptionSpec o : List.copyOf(gateway.options())) {
      if (o.usageHelp() || o.versionHelp()) {
        gateway.remove(o);
      }
    }
    cl.setExecutionExceptionHandler((ex, line, parsed) -> Errors.report(cli, ex));
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      cli.err.println("pairgate: " + ex.getMessage() + " (see '"
          + c.getCommandSpec().qualifiedName() + " --help')");
      cli.err.flush();
      return USAGE;
    });
    return cl;
  }

  /**
   * The library's log (SLF4J Simple, configured by {@code simplelogger.properties}): errors only,
   * on stderr, so that normal use prints nothing but the tool's own lines; {@code --verbose}
   * turns INFO on. An explicit {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} wins. Must run
   * before the first logger is created.
   */
  static void configureLogging(boolean verbose) {
    if (verbose && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  /** Creates command objects, passing the shared {@link Cli} to constructors that take one. */
  private static final class Factory implements CommandLine.IFactory {
    private final Cli cli;

    Factory(Cli cli) {
      this.cli = cli;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        Constructor<K> c = cls.getDeclaredConstructor(Cli.class);
        c.setAccessible(true);
        return c.newInstance(cli);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
