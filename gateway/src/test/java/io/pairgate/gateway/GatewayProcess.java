package io.pairgate.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pairgate gateway} in a child JVM. The CLI jar is built after this module in the reactor,
 * so the test runs the entry point that command delegates to, {@link GatewayMain}, on this
 * module's test class path: the same code, options and output.
 */
final class GatewayProcess implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("listening on (ws://[^ ]+)");

  final Process process;
  final String url;
  /** Every line the process printed so far (stdout and stderr). */
  final List<String> output;
  private final Thread reader;

  private GatewayProcess(Process process, String url, List<String> output, Thread reader) {
    this.process = process;
    this.url = url;
    this.output = output;
    this.reader = reader;
  }

  static GatewayProcess start(Path workDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.add(GatewayMain.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .start();
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          all.add(line);
          q.add(line);
        }
      } catch (IOException e) {
        // process gone
      }
    }, "gateway-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line;
      try {
        line = q.poll(500, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      if (line != null) {
        Matcher m = URL.matcher(line);
        if (m.find() && line.startsWith("Pairgate gateway listening")) {
          String url = m.group(1);
          // the next commands follow; wait for the last line of the banner
          while (System.nanoTime() < deadline) {
            String l;
            try {
              l = q.poll(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            if (l != null && l.startsWith("Stop with")) {
              break;
            }
          }
          GatewayProcess g = new GatewayProcess(p, url, all, reader);
          return g;
        }
      } else if (!p.isAlive()) {
        break;
      }
    }
    p.destroyForcibly();
    throw new IOException("the gateway did not start; output:\n" + String.join("\n", all));
  }

  String outputText() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** SIGTERM; waits for the exit and returns the exit code. */
  int stop() throws InterruptedException {
    // SIGTERM through the handle: Process.destroy() would also close our end of its output pipe,
    // and the shutdown lines would be lost
    process.toHandle().destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the gateway did not stop within 30 s after SIGTERM");
    }
    reader.join(5_000); // everything printed is in output
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
