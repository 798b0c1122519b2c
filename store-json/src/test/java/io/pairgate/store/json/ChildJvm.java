package io.pairgate.store.json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a {@code main} class from the test classpath. Its stdout lines are collected
 * by a reader thread (so the pipe never fills); stderr goes to a file for diagnostics. Closing it
 * kills the process if it still runs, so tests leave no processes behind even when they fail.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final Thread reader;
  private final List<String> lines = new ArrayList<>();
  private final Path stderr;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readLines, "child-stdout-" + process.pid());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** Starts {@code main} with small-heap, fast-start JVM flags and {@code args}. */
  static ChildJvm start(Class<?> main, Path stderr, List<String> jvmFlags, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(stderr.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    return new ChildJvm(pb.start(), stderr);
  }

  private void readLines() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process died; what was read is kept
    }
  }

  /** Waits until {@code count} lines starting with {@code prefix} were printed, or the timeout. */
  boolean awaitLines(String prefix, int count, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (lines) {
      while (true) {
        int n = 0;
        for (String l : lines) {
          if (l.startsWith(prefix)) {
            n++;
          }
        }
        if (n >= count) {
          return true;
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
          return false;
        }
        lines.wait(Math.min(left, 100));
      }
    }
  }

  /** Sends SIGKILL and waits for the process and its output to end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
    reader.join(10_000);
  }

  /** Waits for a normal exit; returns the exit code, or kills it and fails after the timeout. */
  int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("child did not finish in " + timeoutSeconds + " s; stderr:\n"
          + stderr());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** Every stdout line so far (a last line may be partial if the child was killed mid-write). */
  List<String> lines() {
    synchronized (lines) {
      return new ArrayList<>(lines);
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
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
