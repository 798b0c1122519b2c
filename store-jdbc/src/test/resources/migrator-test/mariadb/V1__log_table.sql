-- Test migrations: each script appends its version to mig_log, so a script that ran twice shows.
CREATE TABLE mig_log (version INTEGER NOT NULL);
INSERT INTO mig_log (version) VALUES (1);
DO SLEEP(0.3);
