-- When the earliest delivery attempt whose outcome banwatch never learned went out (NULL until
-- a first attempt). A forum thread has no nonce: before creating one again, the sender looks for
-- the thread that attempt may have created since this time.
ALTER TABLE alert_outbox ADD COLUMN attempted_at TEXT;
