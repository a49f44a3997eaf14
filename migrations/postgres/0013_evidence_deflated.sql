-- The original files kept as evidence are stored deflated, chunk by chunk,
-- where that is smaller (see `store/evidence.rs`): a million-line export
-- was hundreds of MiB written twice on the import's critical thread. Each
-- chunk says how its bytes are written; every chunk stored before this

ALTER TABLE import_file_chunks ADD COLUMN encoding TEXT NOT NULL DEFAULT 'identity'
    CHECK (encoding IN ('identity', 'deflate'));
