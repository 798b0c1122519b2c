package io.pairgate.store.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a {@code main} class from the test classpath. Its stdout goes straight to a
 * file (not a pipe), so every line the child wrote before a SIGKILL is there afterwards, with no
 * pipe draining race; stderr goes to another file for diagnostics. Closing it kills the process if
 * it still runs, so tests leave no processes behind even when they fail.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ChildJvm(Process process, Path stdout, Path stderr) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code main} with {@code jvmFlags} and {@code args}; its output goes to
   * {@code <outputPrefix>.out} and {@code <outputPrefix>.err}.
   */
  static ChildJvm start(Class<?> main, Path outputPrefix, List<String> jvmFlags, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Path out = outputPrefix.resolveSibling(outputPrefix.getFileName() + ".out");
    Path err = outputPrefix.resolveSibling(outputPrefix.getFileName() + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    return new ChildJvm(pb.start(), out, err);
  }

  /** Waits until {@code count} lines starting with {@code prefix} were printed, or the timeout. */
  boolean awaitLines(String prefix, int count, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      int n = 0;
      for (String l : lines()) {
        if (l.startsWith(prefix) && l.endsWith(" .")) {
          n++;
        }
      }
      if (n >= count) {
        return true;
      }
      if (System.currentTimeMillis() > deadline || !process.isAlive()) {
        return false;
      }
      Thread.sleep(5);
    }
  }

  /** Sends SIGKILL and waits for the process to end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Waits for a normal exit; returns the exit code, or kills it and fails after the timeout. */
  int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("child did not finish in " + timeoutSeconds + " s; stderr:\n"
          + stderr());
    }
    return process.exitValue();
  }

  /**
   * Every stdout line so far; the last one may be partial if the child was killed mid-write (the
   * children end every complete line with {@code " ."}).
   */
  List<String> lines() {
    try {
      String text = Files.readString(stdout, StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>(text.lines().toList());
      return out;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new AssertionError("cannot read the child's output " + stdout, e);
    }
  }

  String stderr() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
