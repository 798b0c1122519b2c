-- Pairgate JDBC store, schema version 1 (MariaDB 10.5+ / MySQL 8+, InnoDB).
-- Applied by JdbcPairingStore's built-in migrator, or by Flyway/Liquibase from
-- classpath:schema/mariadb. Times are BIGINT epoch milliseconds.
-- MariaDB/MySQL commit DDL implicitly, so every statement is idempotent (IF NOT EXISTS, indexes
-- declared inline) and a migration interrupted half-way can simply run again.

-- One row per device aggregate (io.pairgate.spi.DeviceRecord). record_json holds the whole
-- aggregate; version is the compare-and-set counter; pending_expires_at and pending_address
-- mirror the pending request's expiry (epoch ms, rounded down) and client address (addresses over
-- 200 characters as "sha256:<hex>") for the pending listing and the request flood limits.
CREATE TABLE IF NOT EXISTS pairgate_device (
  device_id          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  version            BIGINT NOT NULL,
  record_json        MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  pending_expires_at BIGINT NULL,
  pending_address    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  updated_at         BIGINT NOT NULL,
  INDEX pairgate_device_pending (pending_expires_at, pending_address)
) ENGINE=InnoDB;

-- Every request id a device record holds (its pending id and its remembered, resolved ids).
CREATE TABLE IF NOT EXISTS pairgate_request (
  request_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  device_id  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  INDEX pairgate_request_device (device_id)
) ENGINE=InnoDB;

-- Best-effort access times (PairingStore.touch), kept out of the versioned row.
CREATE TABLE IF NOT EXISTS pairgate_touch (
  device_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  role_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  at_ms     BIGINT NOT NULL,
  at_nanos  INT NOT NULL,
  PRIMARY KEY (device_id, role_name)
) ENGINE=InnoDB;
