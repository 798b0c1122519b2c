package io.pairgate.store.jdbc;

import io.pairgate.DeviceId;
import io.pairgate.spi.DeviceRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites every {@code record_json} of format 1 (plaintext token secrets) in the shared record
 * format 3 (their SHA-256 hashes, core's {@code RecordJson}), in one transaction: either every row is upgraded or none is. A row's version is
 * unchanged (the record means the same), and the update is conditional on the row being unchanged
 * since it was read, so a concurrent change (which writes format 3 anyway) is never overwritten.
 * Runs when a store is built; once no format-1 row is left it costs one {@code SELECT ... LIKE}
 * (a scan of the device table) that finds nothing.
 */
final class TokenUpgrade {
  private static final Logger LOG = LoggerFactory.getLogger(TokenUpgrade.class);
  static final String SELECT_PLAINTEXT = "SELECT device_id, version, record_json"
      + " FROM pairgate_device WHERE record_json LIKE '{\"v\":1,%'";
  private static final String UPDATE = "UPDATE pairgate_device SET record_json = ?"
      + " WHERE device_id = ? AND version = ? AND record_json = ?";

  private TokenUpgrade() {}

  /** Upgrades every format-1 row; returns how many rows were rewritten. */
  static int run(DataSource ds, Dialect dialect) throws SQLException {
    try (Connection c = ds.getConnection()) {
      if (dialect == Dialect.SQLITE) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA synchronous = FULL"); // as every write of the store
        }
      }
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        List<String[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SELECT_PLAINTEXT)) {
          while (rs.next()) {
            rows.add(new String[] {rs.getString(1), Long.toString(rs.getLong(2)),
                rs.getString(3)});
          }
        }
        int n = 0;
        if (!rows.isEmpty()) {
          try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            for (String[] row : rows) {
              DeviceRecord r;
              try {
                r = RecordCodec.decode(DeviceId.parse(row[0]), Long.parseLong(row[1]), row[2]);
              } catch (RuntimeException e) {
                // reported when the device is read; a corrupt row is never rewritten. The text
                // of the row is never quoted (it holds secrets).
                LOG.warn("device {}: its record cannot be read, so its token secrets were not"
                    + " hashed ({})", row[0], e.getClass().getSimpleName());
                continue;
              }
              ps.setString(1, RecordCodec.encode(r));
              ps.setString(2, row[0]);
              ps.setLong(3, Long.parseLong(row[1]));
              ps.setString(4, row[2]);
              n += ps.executeUpdate();
            }
          }
        }
        if (n == 0) {
          c.rollback(); // nothing written: no commit (and no fsync) at all
          return 0;
        }
        c.commit();
        if (n > 0) {
          LOG.info("hashed the device token secrets of {} device record(s) ({}): the store no"
              + " longer holds any token in plaintext", n, dialect);
        }
        return n;
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        throw e;
      } finally {
        try {
          c.setAutoCommit(auto);
        } catch (SQLException ignored) {
          // the connection is closed next
        }
      }
    }
  }
}
