//! A file's bytes: hashing them as they are read, sniffing a CSV file's encoding and
//! decoding its fields.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Encoding, FileInfo, IngestError, unreadable};
use crate::schema::Input;

/// A reader that hashes what passes through it, so that a CSV file is read once.
pub(super) struct HashingReader<R> {
    pub(super) inner: R,
    pub(super) hasher: Sha256,
    pub(super) size: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// SHA-256 of bytes, as lower-case hex (the manifest's input hashes).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash a whole file (for formats whose reader does not stream through us).
pub(crate) fn file_info(input: Input, path: &Path) -> Result<FileInfo, IngestError> {
    let mut reader = HashingReader { inner: File::open(path).map_err(|e| unreadable(input, path, e))?, hasher: Sha256::new(), size: 0 };
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| unreadable(input, path, e))?;
    Ok(FileInfo {
        path: path.display().to_string(),
        size: reader.size,
        sha256: hex(&reader.hasher.finalize()),
        unknown_columns: Vec::new(),
        absent_columns: Vec::new(),
    })
}

/// How much text after a file's first non-ASCII byte decides its encoding.
const SNIFF: usize = 64 * 1024;

/// Decide a CSV file's encoding from its first non-ASCII text, wherever it is: a file can
/// hold a hundred kilobytes of ASCII rows before its first Chinese word. Returns the
/// encoding and the sniffed text (empty for a file that is all ASCII).
pub(super) fn sniff_file(path: &Path, configured: Encoding) -> std::io::Result<(Encoding, Vec<u8>)> {
    if configured == Encoding::Utf8 {
        return Ok((Encoding::Utf8, Vec::new()));
    }
    let mut file = File::open(path)?;
    let mut block = vec![0u8; 1 << 20];
    let mut first = true;
    loop {
        let n = read_full(&mut file, &mut block)?;
        if n == 0 {
            return Ok((if configured == Encoding::Auto { Encoding::Utf8 } else { configured }, Vec::new()));
        }
        let data = &block[..n];
        if first && data.starts_with(b"\xEF\xBB\xBF") && configured == Encoding::Auto {
            return Ok((Encoding::Utf8, Vec::new()));
        }
        first = false;
        if data.is_ascii() {
            continue;
        }
        let at = data.iter().position(|b| !b.is_ascii()).unwrap_or(0);
        let mut text = data[at..].to_vec();
        while text.len() < SNIFF {
            let more = read_full(&mut file, &mut block)?;
            if more == 0 {
                break;
            }
            text.extend_from_slice(&block[..more]);
        }
        text.truncate(SNIFF);
        let encoding = match configured {
            Encoding::Auto if looks_utf8(&text) => Encoding::Utf8,
            Encoding::Auto => Encoding::Gb18030,
            other => other,
        };
        return Ok((encoding, text));
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Valid UTF-8, allowing a character cut off at the end of the sniffed block.
pub(super) fn looks_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

pub(super) fn decode(bytes: &[u8], encoding: Encoding) -> Option<Cow<'_, str>> {
    match encoding {
        Encoding::Gb18030 => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
        _ => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
    }
}
