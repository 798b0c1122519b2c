package io.pairgate.modulecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link ModuleCheck} and the pairgate tool in child JVMs whose command line is exactly
 * {@code java --module-path <runtime dependencies> -m <module>/<main> ...}: every Pairgate jar is a
 * named module, and there is no {@code --add-opens}, {@code --add-exports} or
 * {@code --add-reads}.
 */
class ModulePathTest {

  @TempDir Path dir;

  private static String modulePath() throws IOException {
    String deps = Files.readString(Path.of(System.getProperty("pairgate.moduleCheck.modulePath")),
        StandardCharsets.UTF_8).strip();
    return System.getProperty("pairgate.moduleCheck.classes") + File.pathSeparator + deps;
  }

  private record Run(int exit, String output) {}

  private static Run java(String module, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--module-path", modulePath(), "-m", module));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
    String text = new String(out, StandardCharsets.UTF_8);
    for (String a : cmd) {
      assertFalse(a.startsWith("--add-"), a);
    }
    return new Run(p.exitValue(), text);
  }

  @Test
  void everyPublishedModuleAndTheToolWorkOnTheModulePathWithoutAddOpens() throws Exception {
    Run check = java("io.pairgate.modulecheck/io.pairgate.modulecheck.ModuleCheck",
        dir.toString());
    assertEquals(0, check.exit(), check.output());
    assertTrue(check.output().contains("module check: ok"), check.output());
    // picocli reads the commands' options reflectively (the package is open to it only); the
    // stores are the ones ModuleCheck paired a device in
    Run list = java("io.pairgate.cli/io.pairgate.cli.Main", "devices", "list", "--store",
        dir.resolve("json").toString());
    assertEquals(0, list.exit(), list.output());
    assertTrue(list.output().contains("Paired devices (1)"), list.output());
    Run sqlite = java("io.pairgate.cli/io.pairgate.cli.Main", "devices", "list", "--jdbc",
        "jdbc:sqlite:" + dir.resolve("pairing.db"));
    assertEquals(0, sqlite.exit(), sqlite.output());
    assertTrue(sqlite.output().contains("Paired devices (1)"), sqlite.output());
  }

  @Test
  void everyPairgateJarIsANamedModuleAndCoreHidesItsEngine() throws Exception {
    ModuleFinder finder = ModuleFinder.of(Arrays.stream(modulePath().split(File.pathSeparator))
        .map(Path::of).toArray(Path[]::new));
    for (String name : List.of("io.pairgate.core", "io.pairgate.testkit",
        "io.pairgate.store.json", "io.pairgate.store.jdbc", "io.pairgate.gateway",
        "io.pairgate.cli")) {
      ModuleDescriptor d = finder.find(name).orElseThrow().descriptor();
      assertFalse(d.isAutomatic(), name + " has a module-info");
      assertFalse(d.isOpen(), name);
    }
    ModuleDescriptor core = finder.find("io.pairgate.core").orElseThrow().descriptor();
    assertTrue(core.opens().isEmpty(), "no package of core is open");
    assertEquals(Set.of("io.pairgate", "io.pairgate.audit", "io.pairgate.client",
        "io.pairgate.policy", "io.pairgate.spi"),
        core.exports().stream().filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    // the one JSON reader and record codec: exported only to Pairgate's stores and testkit
    assertEquals(Set.of("io.pairgate.internal.json"), core.exports().stream()
        .filter(ModuleDescriptor.Exports::isQualified).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet()));
    assertEquals(Set.of("io.pairgate.store.json", "io.pairgate.store.jdbc", "io.pairgate.testkit"),
        core.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
            .flatMap(e -> e.targets().stream()).collect(Collectors.toSet()));
    assertTrue(core.packages().contains("io.pairgate.internal"));
    ModuleDescriptor gateway = finder.find("io.pairgate.gateway").orElseThrow().descriptor();
    assertEquals(Set.of("io.pairgate.gateway"), gateway.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
  }
}
