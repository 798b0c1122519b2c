package io.pairgate.store.json;

import io.pairgate.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's write lock: an in-JVM lock keyed by the lock file's real path (a {@link FileLock} is
 * held per JVM, and closing any channel of a file drops every lock the JVM holds on it), then an
 * exclusive {@link FileLock} on {@code .lock} against other processes. Every store instance on
 * the same directory in one JVM shares one {@link Shared} entry and one channel.
 */
final class StoreLock implements AutoCloseable {
  private static final Map<Path, Shared> REGISTRY = new HashMap<>();

  private static final class Shared {
    final Path file;
    final ReentrantLock jvm = new ReentrantLock();
    FileChannel channel; // guarded by jvm (reopened if an interrupt closed it)
    int refs; // guarded by REGISTRY

    Shared(Path file) throws IOException {
      this.file = file;
      this.channel = open(file);
    }

    static FileChannel open(Path file) throws IOException {
      return Fs.openNoFollow(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  private final Shared shared;
  private boolean closed;

  private StoreLock(Shared shared) {
    this.shared = shared;
  }

  /** A handle on the lock of {@code lockFile} (which must exist). */
  static StoreLock of(Path lockFile) throws IOException {
    Path real = lockFile.toRealPath();
    synchronized (REGISTRY) {
      Shared s = REGISTRY.get(real);
      if (s == null) {
        s = new Shared(real);
        REGISTRY.put(real, s);
      }
      s.refs++;
      return new StoreLock(s);
    }
  }

  /**
   * A held lock; closing it releases the lock. Use it as a try-with-resources guard (callers
   * suppress javac's "resource never referenced" lint for that idiom).
   */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes the lock, waiting at most {@code timeout}.
   *
   * @throws StoreException (retryable) on timeout or interruption, or if the lock file fails
   */
  Held acquire(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReentrantLock jvm = shared.jvm;
    if (jvm.isHeldByCurrentThread()) {
      jvm.lock();
      return jvm::unlock;
    }
    try {
      if (!jvm.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw timeout(timeout, "another thread of this process");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the store lock " + shared.file, true,
          e);
    }
    boolean ok = false;
    try {
      FileLock fl = fileLock(deadline, timeout);
      ok = true;
      return () -> {
        try {
          if (fl.isValid()) {
            fl.release();
          }
        } catch (IOException e) {
          // the channel was closed (by an interrupt): the lock is gone with it; reopen next time
        } finally {
          jvm.unlock();
        }
      };
    } finally {
      if (!ok) {
        jvm.unlock();
      }
    }
  }

  private FileLock fileLock(long deadline, Duration timeout) {
    long backoffNanos = 20_000;
    while (true) {
      try {
        if (!shared.channel.isOpen()) {
          shared.channel = Shared.open(shared.file);
        }
        FileLock fl = shared.channel.tryLock();
        if (fl != null) {
          return fl;
        }
      } catch (OverlappingFileLockException e) {
        throw new IllegalStateException("the store lock " + shared.file
            + " is held through a channel outside the registry", e);
      } catch (IOException e) {
        throw new StoreException("cannot lock " + shared.file + ": " + e, true, e);
      }
      if (System.nanoTime() - deadline > 0) {
        throw timeout(timeout, "another process");
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted while waiting for the store lock " + shared.file,
            true);
      }
      LockSupport.parkNanos(backoffNanos);
      backoffNanos = Math.min(backoffNanos * 2, 2_000_000);
    }
  }

  private StoreException timeout(Duration timeout, String holder) {
    return new StoreException("timed out after " + timeout + " waiting for the store lock "
        + shared.file + " (held by " + holder + ")", true);
  }

  @Override
  public void close() {
    synchronized (REGISTRY) {
      if (closed) {
        return;
      }
      closed = true;
      if (--shared.refs == 0) {
        REGISTRY.remove(shared.file);
        shared.jvm.lock();
        try {
          shared.channel.close();
        } catch (IOException e) {
          // nothing is held any more; nothing to do
        } finally {
          shared.jvm.unlock();
        }
      }
    }
  }
}
