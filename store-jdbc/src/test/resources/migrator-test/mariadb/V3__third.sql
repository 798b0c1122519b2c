INSERT INTO mig_log (version) VALUES (3);
