package io.pairgate.cli;

import io.pairgate.gateway.GatewayMain;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code pairgate gateway}: runs the reference WebSocket gateway ({@link GatewayMain}, which parses
 * its own options) on the store chosen with the global {@code --store}/{@code --jdbc}.
 */
@Command(name = "gateway",
    description = "Run a WebSocket gateway speaking OpenClaw's protocol on the store"
        + " (see 'pairgate gateway --help').")
final class GatewayCommand implements Callable<Integer> {
  private final Cli cli;

  @Unmatched List<String> args = new ArrayList<>();

  GatewayCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    List<String> a = new ArrayList<>(args);
    if (cli.storeDir != null) {
      a.add("--store");
      a.add(cli.storeDir.toString());
    }
    if (cli.jdbcUrl != null) {
      a.add("--jdbc");
      a.add(cli.jdbcUrl);
    }
    cli.out.flush();
    cli.err.flush();
    return GatewayMain.run(a.toArray(new String[0]), stream(cli.out), stream(cli.err), cli.env);
  }

  private static PrintStream stream(java.io.PrintWriter w) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        w.write(new String(b, off, len, StandardCharsets.UTF_8));
      }

      @Override
      public void flush() {
        w.flush();
      }
    }, true, StandardCharsets.UTF_8);
  }

}
