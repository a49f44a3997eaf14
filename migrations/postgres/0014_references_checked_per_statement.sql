-- The references of the tables a big import or a month's booking fills are
-- checked once per statement over the rows it added, instead of once per
-- row. PostgreSQL checks a foreign key with a trigger per inserted row, each
-- running its own query: a million-order month books four million postings
-- (two references each), two million bookings and two million entries, and
-- its import a million lines and their details. Measured on the 2-core
-- machine, 800,000 postings referencing entries and accounts took 15.0 s to
-- insert with both foreign keys, 2.6 s with none and 3.4 s with the check
-- below.
--
-- What the foreign keys held, the database still holds:
-- * every new row's reference names a row that exists, checked at the end
--   of the statement that added it (a COPY of 200,000 postings is one); a
--   booking's entry by the check 0012 added, which already read it;
-- * a referenced row cannot go away: entries, import batches, settlement
--   lines and orders are append-only (their triggers refuse UPDATE, DELETE
--   and TRUNCATE), and an account with postings can be neither deleted nor
--   renamed (`accounts_keep_posted_codes`, at READ COMMITTED); a check locks
--   the accounts it found (FOR KEY SHARE, as a foreign key does) so that a
--   concurrent delete waits for the postings' transaction and then sees them;
-- * the checks run as the tables' owner (SECURITY DEFINER, as a foreign key's
--   check does) and name every table by the trigger's own schema, so neither
--   the inserting role's rights nor its search_path (a temporary table
--   called `accounts`) changes what they see.
-- Unlike a foreign key, the table's owner can switch these off (ALTER TABLE
-- … DISABLE TRIGGER); `verify`-style checks of a restored copy should not
-- assume they ran.
-- The references of small tables (statements, payouts, bank lines, NetSuite
-- documents, sessions) stay foreign keys.

-- Rows of `added` whose TG_ARGV[0] names no row of the table TG_ARGV[1] by
-- its column TG_ARGV[2]. The lateral probe uses the parent's index for each
-- added row, however large the parent grows (an anti-join may instead scan
-- the whole parent once per statement).
CREATE FUNCTION settlebridge_check_references() RETURNS trigger AS $$
DECLARE
    child_column  TEXT := TG_ARGV[0];
    parent_table  TEXT := TG_ARGV[1];
    parent_column TEXT := TG_ARGV[2];
    missing       TEXT;
BEGIN
    EXECUTE format(
        'SELECT a.%1$I::text FROM added a '
        || 'LEFT JOIN LATERAL (SELECT 1 AS found FROM %2$I.%3$I p WHERE p.%4$I = a.%1$I LIMIT 1) x ON TRUE '
        || 'WHERE a.%1$I IS NOT NULL AND x.found IS NULL LIMIT 1',
        child_column, TG_TABLE_SCHEMA, parent_table, parent_column)
    INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert into "%" names % = % but "%" has no % = %',
            TG_TABLE_NAME, child_column, missing, parent_table, parent_column, missing
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Postings name accounts of the chart, which is not append-only: the
-- accounts found are locked (FOR KEY SHARE) until the postings' transaction
-- ends, and counted by the same statement, so an account is never found
-- without being locked.
CREATE FUNCTION settlebridge_postings_accounts_exist() RETURNS trigger AS $$
DECLARE
    named   BIGINT;
    locked  BIGINT;
    missing TEXT;
BEGIN
    SELECT count(DISTINCT account) INTO named FROM added;
    EXECUTE format(
        'SELECT count(*) FROM (SELECT 1 FROM %I.accounts '
        || 'WHERE code IN (SELECT account FROM added) FOR KEY SHARE) l',
        TG_TABLE_SCHEMA)
    INTO locked;
    IF locked < named THEN
        EXECUTE format(
            'SELECT d.account FROM (SELECT DISTINCT account FROM added) d '
            || 'WHERE NOT EXISTS (SELECT 1 FROM %I.accounts c WHERE c.code = d.account) LIMIT 1',
            TG_TABLE_SCHEMA)
        INTO missing;
        RAISE EXCEPTION 'insert into "postings" names account % which is not in the chart',
            COALESCE(missing, '(one deleted meanwhile)')
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- A BEFORE row trigger runs once the row is locked, so a delete that waited
-- for a postings transaction sees its postings here — at READ COMMITTED,
-- where each statement sees what committed before it. Under a snapshot
-- taken earlier (REPEATABLE READ, SERIALIZABLE) postings committed since
-- would be invisible to the check, so deleting or renaming an account is
-- refused there.
CREATE FUNCTION settlebridge_accounts_keep_posted_codes() RETURNS trigger AS $$
DECLARE
    posted BOOLEAN;
BEGIN
    IF TG_OP = 'DELETE' OR NEW.code IS DISTINCT FROM OLD.code THEN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'delete or rename account % at READ COMMITTED isolation', OLD.code
                USING ERRCODE = 'serialization_failure';
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.postings WHERE account = $1)',
            TG_TABLE_SCHEMA)
        INTO posted USING OLD.code;
        IF posted THEN
            RAISE EXCEPTION 'account % has postings: it cannot be deleted or renamed', OLD.code
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                    SCHEMA = TG_TABLE_SCHEMA;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION settlebridge_refuse_truncate_when_posted() RETURNS trigger AS $$
DECLARE
    posted BOOLEAN;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.postings)', TG_TABLE_SCHEMA) INTO posted;
    IF posted THEN
        RAISE EXCEPTION 'accounts have postings: the chart cannot be truncated'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- A booking's entry must exist and carry its subject's key (0012); the
-- check now says which of the two failed, and probes entries by index.
CREATE OR REPLACE FUNCTION settlebridge_bookings_keyed_by_entry() RETURNS trigger AS $$
DECLARE
    booked_seq BIGINT;
    entry_key  TEXT;
BEGIN
    EXECUTE format(
        'SELECT b.entry_seq, x.idempotency_key FROM added b '
        || 'LEFT JOIN LATERAL (SELECT e.idempotency_key FROM %I.entries e '
        || 'WHERE e.seq = b.entry_seq LIMIT 1) x ON TRUE '
        || 'WHERE x.idempotency_key IS DISTINCT FROM (CASE WHEN b.revision = 1 THEN b.subject '
        || 'ELSE b.subject || ''~'' || b.revision END) LIMIT 1',
        TG_TABLE_SCHEMA)
    INTO booked_seq, entry_key;
    IF booked_seq IS NOT NULL AND entry_key IS NULL THEN
        RAISE EXCEPTION 'insert into "bookings" names entry_seq = % but "entries" has no seq = %',
            booked_seq, booked_seq
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                SCHEMA = TG_TABLE_SCHEMA;
    ELSIF booked_seq IS NOT NULL THEN
        RAISE EXCEPTION 'a booking''s entry must be keyed by its subject and revision'
            USING ERRCODE = 'raise_exception';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

ALTER TABLE postings DROP CONSTRAINT postings_entry_seq_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_fkey;
ALTER TABLE entries DROP CONSTRAINT entries_reverses_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_entry_seq_fkey;
ALTER TABLE settlement_lines DROP CONSTRAINT settlement_lines_batch_id_fkey;
ALTER TABLE settlement_line_details DROP CONSTRAINT settlement_line_details_line_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_batch_id_fkey;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_ref_fkey;
ALTER TABLE order_amounts DROP CONSTRAINT order_amounts_order_ref_fkey;
ALTER TABLE order_rows DROP CONSTRAINT order_rows_order_ref_fkey;
ALTER TABLE order_observations DROP CONSTRAINT order_observations_order_ref_fkey;
ALTER TABLE order_observations DROP CONSTRAINT order_observations_batch_id_fkey;

-- An entry is reversed at most once. The UNIQUE constraint indexed every
-- entry, reversal or not (two million NULLs for a month's booking); the
-- index now holds the reversals only.
ALTER TABLE entries DROP CONSTRAINT entries_reverses_key;
CREATE UNIQUE INDEX entries_reversed_once ON entries (reverses) WHERE reverses IS NOT NULL;

CREATE TRIGGER postings_entries_exist AFTER INSERT ON postings
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('entry_seq', 'entries', 'seq');
CREATE TRIGGER postings_accounts_exist AFTER INSERT ON postings
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_postings_accounts_exist();
CREATE TRIGGER entries_reversed_exist AFTER INSERT ON entries
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('reverses', 'entries', 'seq');
CREATE TRIGGER settlement_lines_batches_exist AFTER INSERT ON settlement_lines
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('batch_id', 'import_batches', 'id');
CREATE TRIGGER settlement_line_details_lines_exist AFTER INSERT ON settlement_line_details
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('line_id', 'settlement_lines', 'id');
CREATE TRIGGER orders_batches_exist AFTER INSERT ON orders
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('batch_id', 'import_batches', 'id');
CREATE TRIGGER order_lines_orders_exist AFTER INSERT ON order_lines
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('order_ref', 'orders', 'id');
CREATE TRIGGER order_amounts_orders_exist AFTER INSERT ON order_amounts
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('order_ref', 'orders', 'id');
CREATE TRIGGER order_rows_orders_exist AFTER INSERT ON order_rows
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('order_ref', 'orders', 'id');
CREATE TRIGGER order_observations_orders_exist AFTER INSERT ON order_observations
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('order_ref', 'orders', 'id');
CREATE TRIGGER order_observations_batches_exist AFTER INSERT ON order_observations
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION settlebridge_check_references('batch_id', 'import_batches', 'id');

CREATE TRIGGER accounts_keep_posted_codes BEFORE UPDATE OF code OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION settlebridge_accounts_keep_posted_codes();
CREATE TRIGGER accounts_no_truncate_when_posted BEFORE TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_truncate_when_posted();
-- Import batches were kept from TRUNCATE by the foreign keys that named
-- them; lines and orders no longer do.
CREATE TRIGGER import_batches_no_truncate BEFORE TRUNCATE ON import_batches
    FOR EACH STATEMENT EXECUTE FUNCTION settlebridge_refuse_change();
