package io.pairgate.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The persistence limits the approve benchmarks are compared with: one raw durable small-file write
 * (write a temp file, {@code force}, atomic move over the target, {@code force} the directory) and
 * one raw committed single-row {@code UPDATE} (autocommit, prepared statement reused) on the same
 * database engine the store uses. The record written is about the size of one device's record.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StoreLimits {
  /** Bytes written per operation: about one JSON device record with one token. */
  static final int RECORD_BYTES = 1024;

  /** A directory holding one target file. */
  @State(Scope.Thread)
  public static class FileTarget {
    Path dir;
    Path target;
    Path temp;
    byte[] body;
    long counter;

    /** Creates the directory and the first version of the file. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = BenchDirs.fresh("limit-durable-write");
      target = dir.resolve("device.json");
      temp = dir.resolve("device.json.tmp");
      body = new byte[RECORD_BYTES];
      java.util.Arrays.fill(body, (byte) 'x');
      Files.write(target, body);
    }

    /** Removes the directory. */
    @TearDown(Level.Trial)
    public void tearDown() {
      BenchDirs.delete(dir);
    }
  }

  /** A one-row table in H2 (file mode, defaults) or PostgreSQL. */
  @State(Scope.Thread)
  public static class Db {
    /**
     * {@code h2}: H2 file database, plain commit (H2 does not fsync on commit); {@code h2-sync}:
     * the same plus {@code CHECKPOINT SYNC}, which is what store-jdbc does for a durable H2
     * commit; {@code postgres}: PostgreSQL with the server's defaults (fsync on commit).
     */
    @Param({"h2", "h2-sync", "postgres"})
    public String db;

    @Nullable Statement checkpoint;

    Connection connection;
    PreparedStatement update;
    Path dir;
    String body;
    long counter;

    /** Opens the database and creates the row. */
    @Setup(Level.Trial)
    public void setUp() throws SQLException {
      if (db.startsWith("h2")) {
        dir = BenchDirs.fresh("limit-h2");
        connection = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("limit"), "sa", "");
      } else {
        connection = DriverManager.getConnection(BenchDirs.postgresUrl());
      }
      connection.setAutoCommit(true);
      try (Statement s = connection.createStatement()) {
        s.execute("DROP TABLE IF EXISTS pairgate_bench_limit");
        s.execute(
            "CREATE TABLE pairgate_bench_limit (id INT PRIMARY KEY, version BIGINT NOT NULL,"
                + " body VARCHAR(4000) NOT NULL)");
        s.execute("INSERT INTO pairgate_bench_limit VALUES (1, 0, 'x')");
      }
      update =
          connection.prepareStatement(
              "UPDATE pairgate_bench_limit SET version = version + 1, body = ? WHERE id = 1");
      body = "x".repeat(RECORD_BYTES - 20);
      checkpoint = db.equals("h2-sync") ? connection.createStatement() : null;
    }

    /** Drops the table and closes the connection. */
    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
      try (Statement s = connection.createStatement()) {
        s.execute("DROP TABLE IF EXISTS pairgate_bench_limit");
      }
      connection.close();
      if (dir != null) {
        BenchDirs.delete(dir);
      }
    }
  }

  /** Limit: one durable atomic replace of a small file. */
  @Benchmark
  public long limitDurableFileWrite(FileTarget f) throws IOException {
    long n = ++f.counter;
    f.body[0] = (byte) ('0' + (n % 10));
    try (FileChannel ch =
        FileChannel.open(
            f.temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(f.body);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(f.temp, f.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(f.dir, StandardOpenOption.READ)) {
      d.force(true);
    }
    return n;
  }

  /** Limit: one committed single-row UPDATE. */
  @Benchmark
  public int limitCommittedUpdate(Db d) throws SQLException {
    d.update.setString(1, d.body + (++d.counter));
    int rows = d.update.executeUpdate();
    if (rows != 1) {
      throw new IllegalStateException("updated " + rows + " rows");
    }
    if (d.checkpoint != null) {
      d.checkpoint.execute("CHECKPOINT SYNC");
    }
    return rows;
  }
}
