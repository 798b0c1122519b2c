package io.pairgate.testkit.openclaw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One OpenClaw CLI "user": the stock {@code openclaw.mjs} of an {@link OpenClawInstall}, run with its
 * own {@code HOME} and {@code OPENCLAW_STATE_DIR} (so its own device identity and token store), in a
 * clean environment with discovery and update checks off.
 *
 * <pre>{@code
 * OpenClawCli alice = new OpenClawCli(install, workDir.resolve("alice"));
 * OpenClawCli.Result r = alice.run("devices", "list", "--json", "--url", url, "--token", token);
 * }</pre>
 */
public final class OpenClawCli {
  private final OpenClawInstall install;
  private final Path home;
  private Duration timeout = Duration.ofSeconds(60);

  /** A CLI user whose {@code HOME} is {@code home} and state dir {@code home/state}. */
  public OpenClawCli(OpenClawInstall install, Path home) {
    this.install = Objects.requireNonNull(install, "install");
    this.home = home.toAbsolutePath();
  }

  /** How long one command may run before it is killed (default 60 s). */
  public OpenClawCli timeout(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /** This user's {@code HOME}. */
  public Path home() {
    return home;
  }

  /** This user's {@code OPENCLAW_STATE_DIR}. */
  public Path stateDir() {
    return home.resolve("state");
  }

  /** {@code identity/device-auth.json}: the device tokens the CLI stored, if any. */
  public Path deviceAuthFile() {
    return stateDir().resolve("identity/device-auth.json");
  }

  /** {@code identity/device.json}: the CLI's device identity, if it created one. */
  public Path deviceFile() {
    return stateDir().resolve("identity/device.json");
  }

  /** The install this user runs. */
  public OpenClawInstall install() {
    return install;
  }

  /**
   * Runs {@code node openclaw.mjs <args>} and waits for it.
   *
   * @throws UncheckedIOException if the process cannot be started
   * @throws IllegalStateException if it runs longer than the timeout (it is killed)
   */
  public Result run(String... args) {
    try {
      Files.createDirectories(stateDir());
      List<String> cmd = new ArrayList<>();
      cmd.add(install.node().toString());
      cmd.add(install.openclawMjs().toString());
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
      Map<String, String> env = pb.environment();
      env.clear();
      env.put("PATH", install.nodeBin() + ":/usr/bin:/bin");
      env.put("HOME", home.toString());
      env.put("OPENCLAW_STATE_DIR", stateDir().toString());
      env.put("OPENCLAW_DISABLE_BONJOUR", "1");
      env.put("OPENCLAW_NO_AUTO_UPDATE", "1");
      env.put("NO_COLOR", "1");
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running openclaw " + List.of(args));
      }
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException("openclaw " + redact(args) + " ran longer than " + timeout);
      }
      Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The arguments with the value after {@code --token} replaced, for messages. */
  public static String redact(String... args) {
    List<String> l = new ArrayList<>(List.of(args));
    for (int i = 0; i + 1 < l.size(); i++) {
      if (l.get(i).equals("--token") || l.get(i).equals("--password")) {
        l.set(i + 1, "***");
      }
    }
    return String.join(" ", l);
  }

  /**
   * The outcome of one CLI command.
   *
   * @param exitCode the process exit code
   * @param stdout everything written to standard output
   * @param stderr everything written to standard error
   */
  public record Result(int exitCode, String stdout, String stderr) {
    /** Exit code, stdout and stderr in one string, for assertion messages. */
    public String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }
}
