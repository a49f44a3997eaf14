//! The original file of an import, kept as evidence in chunks of at most
//! `FILE_CHUNK_BYTES`. A chunk is stored deflated when that is smaller
//! (channel CSVs shrink four to eight times; a workbook, already a zip, is
//! kept as it is): a million-line TikTok export is 186 MiB that every import
//! wrote twice — into SQLite's log, then into the database — on the
//! writer's thread. Each chunk is its own deflate stream, so a file reads
//! back chunk by chunk, byte for byte.

use std::io::{Read, Write};

use flate2::write::DeflateEncoder;
use flate2::Compression;

use super::{StoreError, FILE_CHUNK_BYTES};

/// How a stored chunk's bytes are written (the `encoding` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkEncoding {
    /// The file's bytes as they are.
    Identity,
    /// A raw deflate stream (RFC 1951) of the file's bytes.
    Deflate,
}

impl ChunkEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkEncoding::Identity => "identity",
            ChunkEncoding::Deflate => "deflate",
        }
    }
}

/// One chunk of an original file, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChunk {
    pub encoding: ChunkEncoding,
    pub bytes: Vec<u8>,
}

impl FileChunk {
    /// `raw` (at most `FILE_CHUNK_BYTES`) deflated at the fastest level, or
    /// as it is when deflating does not make it smaller.
    pub fn encode(raw: &[u8]) -> FileChunk {
        debug_assert!(raw.len() <= FILE_CHUNK_BYTES);
        let mut encoder =
            DeflateEncoder::new(Vec::with_capacity(raw.len() / 4), Compression::fast());
        // Writing to a Vec cannot fail.
        let deflated = encoder
            .write_all(raw)
            .and_then(|()| encoder.finish())
            .expect("deflating into memory");
        if deflated.len() < raw.len() {
            FileChunk {
                encoding: ChunkEncoding::Deflate,
                bytes: deflated,
            }
        } else {
            FileChunk {
                encoding: ChunkEncoding::Identity,
                bytes: raw.to_vec(),
            }
        }
    }
}

/// Appends a stored chunk's file bytes to `out`. A chunk that does not
/// decode, or decodes to more than a chunk can hold, is an error naming
/// it: the evidence was changed, and is not handed out as if it were whole.
pub fn decode_into(
    batch_id: i64,
    seq: i64,
    encoding: &str,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), StoreError> {
    let corrupt = |why: String| StoreError::CorruptEvidence {
        batch: batch_id,
        chunk: seq,
        why,
    };
    match encoding {
        "identity" => out.extend_from_slice(bytes),
        "deflate" => {
            let before = out.len();
            let limit = FILE_CHUNK_BYTES as u64 + 1;
            flate2::read::DeflateDecoder::new(bytes)
                .take(limit)
                .read_to_end(out)
                .map_err(|e| corrupt(e.to_string()))?;
            if out.len() - before > FILE_CHUNK_BYTES {
                return Err(corrupt(format!(
                    "it inflates to more than {FILE_CHUNK_BYTES} bytes"
                )));
            }
        }
        other => return Err(corrupt(format!("unknown encoding `{other}`"))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(raw: &[u8]) -> FileChunk {
        let chunk = FileChunk::encode(raw);
        let mut out = b"before|".to_vec();
        decode_into(1, 1, chunk.encoding.as_str(), &chunk.bytes, &mut out).unwrap();
        assert_eq!(&out[..7], b"before|");
        assert_eq!(&out[7..], raw, "byte for byte");
        chunk
    }

    #[test]
    fn text_is_deflated_and_reads_back_byte_for_byte() {
        let csv: Vec<u8> = (0..20_000)
            .flat_map(|i| {
                format!("\u{feff}2026-11-{:02},#{i},12.34,\"a, b\"\r\n", i % 28 + 1).into_bytes()
            })
            .take(FILE_CHUNK_BYTES)
            .collect();
        let chunk = round_trip(&csv);
        assert_eq!(chunk.encoding, ChunkEncoding::Deflate);
        assert!(
            chunk.bytes.len() * 4 < csv.len(),
            "{} bytes",
            chunk.bytes.len()
        );
    }

    #[test]
    fn what_does_not_shrink_is_kept_as_it_is() {
        // Bytes with no pattern (as in a zip) do not deflate smaller.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let chunk = round_trip(&noise);
        assert_eq!(chunk.encoding, ChunkEncoding::Identity);
        assert_eq!(chunk.bytes, noise);
        assert_eq!(round_trip(b"").encoding, ChunkEncoding::Identity);
    }

    #[test]
    fn a_changed_or_oversized_chunk_is_refused_by_name() {
        let chunk = FileChunk::encode(&b"order,amount\n".repeat(1000));
        let mut broken = chunk.bytes.clone();
        broken.truncate(broken.len() / 2);
        let err = decode_into(7, 3, "deflate", &broken, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("batch 7"), "{err}");
        assert!(err.to_string().contains("chunk 3"), "{err}");
        let bomb = FileChunk::encode(&vec![b'a'; FILE_CHUNK_BYTES]).bytes;
        let mut twice = Vec::new();
        let mut encoder = DeflateEncoder::new(&mut twice, Compression::fast());
        encoder
            .write_all(&vec![b'a'; FILE_CHUNK_BYTES + 1])
            .unwrap();
        encoder.finish().unwrap();
        assert!(decode_into(7, 4, "deflate", &bomb, &mut Vec::new()).is_ok());
        let err = decode_into(7, 4, "deflate", &twice, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
        let err = decode_into(7, 5, "zstd", b"", &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("unknown encoding `zstd`"), "{err}");
    }
}
