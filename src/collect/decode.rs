//! Reading one file and decoding it to text.
//!
//! Accepted: UTF-8 (a byte-order mark is stripped), UTF-16 LE/BE with a byte-order mark,
//! UTF-16 without one (recognised by its pattern of zero bytes), and UTF-16 that was once
//! re-encoded byte by byte as UTF-8 (it starts with `ÿþ`; Windows text mode may also have
//! inserted a carriage return before every line-feed byte) — that round trip is undone.
//! Rejected: binary data (zero bytes that are not UTF-16), and bytes that are not UTF-8. A
//! file that is UTF-8 except for a few stray bytes (at most one in a hundred) is decoded
//! with those bytes replaced by U+FFFD, and the decoded [`Text`] says so in its note.

use super::CollectedFile;
use std::fmt;
use std::io::Read;

/// The encoding a file was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        })
    }
}

/// The decoded content of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub encoding: Encoding,
    /// Something the user should know about the decoding (replaced bytes, a repaired
    /// re-encoding); `None` for a clean file.
    pub note: Option<String>,
}

/// Why a file could not be read as text. The message is the `reason` of its skip entry.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("unreadable: {0}")]
    Io(#[from] std::io::Error),
    #[error("too large: grew past the limit of {limit} bytes (max file size) while being read")]
    TooLarge { limit: u64 },
    #[error("binary file (contains zero bytes); not text")]
    Binary,
    #[error(
        "not UTF-8 or UTF-16 text: {invalid} invalid byte(s), the first at byte {first}; \
         convert the file to UTF-8"
    )]
    NotText { invalid: usize, first: usize },
}

/// Share of invalid bytes (one in this many) up to which UTF-8 is decoded lossily.
const LOSSY_UTF8_ONE_IN: usize = 100;
/// Bytes inspected to recognise UTF-16 without a byte-order mark.
const SNIFF_BYTES: usize = 4096;

/// Reads `file` (never more than `max_size` bytes, even if it grew since the walk) and
/// decodes it.
pub fn read_text(file: &CollectedFile, max_size: u64) -> Result<Text, ReadError> {
    let handle = std::fs::File::open(&file.abs_path)?;
    let capacity = usize::try_from(file.size.min(max_size)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    handle
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_size {
        return Err(ReadError::TooLarge { limit: max_size });
    }
    decode(bytes)
}

/// Decodes the bytes of a file to text.
pub fn decode(mut bytes: Vec<u8>) -> Result<Text, ReadError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        return utf8(bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, Encoding::Utf16Le, None);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, Encoding::Utf16Be, None);
    }
    if let Some(text) = reencoded_utf16(&bytes) {
        return Ok(text);
    }
    if let Some(encoding) = sniff_utf16(&bytes) {
        return utf16(&bytes, encoding, None);
    }
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    utf8(bytes)
}

fn utf8(bytes: Vec<u8>) -> Result<Text, ReadError> {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return Ok(Text {
                text,
                encoding: Encoding::Utf8,
                note: None,
            })
        }
        Err(e) => e.into_bytes(),
    };
    let mut text = String::with_capacity(bytes.len());
    let (mut invalid, mut first, mut offset) = (0usize, None, 0usize);
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            first.get_or_insert(offset);
            invalid += chunk.invalid().len();
            offset += chunk.invalid().len();
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    let first = first.unwrap_or(0);
    if invalid * LOSSY_UTF8_ONE_IN > bytes.len() {
        return Err(ReadError::NotText { invalid, first });
    }
    Ok(Text {
        text,
        encoding: Encoding::Utf8,
        note: Some(format!(
            "{invalid} byte(s) that are not UTF-8 (the first at byte {first}) were replaced by U+FFFD"
        )),
    })
}

/// UTF-16 with a byte-order mark that went through a byte-to-character (Latin-1) decoding
/// and was written back as UTF-8: every original byte is now one character up to U+00FF,
/// the mark reads `ÿþ` or `þÿ`, and Windows text mode may have turned every line-feed byte
/// into CR LF. Returns the original text, or `None` when the bytes are not of that shape.
fn reencoded_utf16(bytes: &[u8]) -> Option<Text> {
    let encoding = if bytes.starts_with("ÿþ".as_bytes()) {
        Encoding::Utf16Le
    } else if bytes.starts_with("þÿ".as_bytes()) {
        Encoding::Utf16Be
    } else {
        return None;
    };
    let text = std::str::from_utf8(bytes).ok()?;
    let original: Vec<u8> = text
        .chars()
        .skip(2)
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<_>>()?;
    let original = undo_line_feed_translation(&original, encoding);
    utf16(
        &original,
        encoding,
        Some(format!(
            "{encoding} text that had been re-encoded as UTF-8 byte by byte; decoded back"
        )),
    )
    .ok()
}

/// Removes the carriage-return byte that a text-mode write inserted before each line-feed
/// byte of UTF-16 data (`0D 0A 00` -> `0A 00` for LE, `00 0D 0A` -> `00 0A` for BE).
fn undo_line_feed_translation(bytes: &[u8], encoding: Encoding) -> Vec<u8> {
    let (translated, original): (&[u8], [u8; 2]) = match encoding {
        Encoding::Utf16Be => (&[0x00, 0x0D, 0x0A], [0x00, 0x0A]),
        _ => (&[0x0D, 0x0A, 0x00], [0x0A, 0x00]),
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(translated) {
            out.extend_from_slice(&original);
            i += 3;
        } else {
            let end = (i + 2).min(bytes.len());
            out.extend_from_slice(&bytes[i..end]);
            i = end;
        }
    }
    out
}

/// Recognises UTF-16 without a byte-order mark: mostly-ASCII UTF-16 has a zero byte in
/// nearly every code unit, always on the same side.
fn sniff_utf16(bytes: &[u8]) -> Option<Encoding> {
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES) & !1];
    let units = sample.len() / 2;
    if units < 2 {
        return None;
    }
    let zero_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zero_at(0), zero_at(1));
    let mostly = |n: usize| n * 4 >= units * 3;
    let rarely = |n: usize| n * 10 <= units;
    if mostly(odd) && rarely(even) {
        Some(Encoding::Utf16Le)
    } else if mostly(even) && rarely(odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

fn utf16(bytes: &[u8], encoding: Encoding, note: Option<String>) -> Result<Text, ReadError> {
    let units = bytes.chunks_exact(2).map(|pair| match encoding {
        Encoding::Utf16Be => u16::from_be_bytes([pair[0], pair[1]]),
        _ => u16::from_le_bytes([pair[0], pair[1]]),
    });
    let mut invalid = bytes.len() % 2;
    let mut first = None;
    let mut text = String::with_capacity(bytes.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok('\0') => return Err(ReadError::Binary),
            Ok(c) => text.push(c),
            Err(_) => {
                first.get_or_insert(i * 2);
                invalid += 2;
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if invalid * LOSSY_UTF8_ONE_IN > bytes.len().max(1) {
        return Err(ReadError::NotText {
            invalid,
            first: first.unwrap_or(bytes.len().saturating_sub(1)),
        });
    }
    Ok(Text {
        text,
        encoding,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let t = decode(b"\xEF\xBB\xBFa,b\n1,2\n".to_vec()).unwrap();
        assert_eq!(t.text, "a,b\n1,2\n");
        assert_eq!(t.encoding, Encoding::Utf8);
        assert_eq!(t.note, None);
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let t = decode(utf16le("name,µs\nx,1\n", true)).unwrap();
        assert_eq!(
            (t.text.as_str(), t.encoding),
            ("name,µs\nx,1\n", Encoding::Utf16Le)
        );
        let t = decode(utf16le("name,ms\nx,1\n", false)).unwrap();
        assert_eq!(
            (t.text.as_str(), t.encoding),
            ("name,ms\nx,1\n", Encoding::Utf16Le)
        );
        let be: Vec<u8> = "name,ms\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let t = decode(be).unwrap();
        assert_eq!(
            (t.text.as_str(), t.encoding),
            ("name,ms\n", Encoding::Utf16Be)
        );
    }

    #[test]
    fn reencoded_utf16_with_text_mode_line_feeds_is_repaired() {
        let original = utf16le("ok\r\nline two\r\n", true);
        let mut mangled = String::new();
        for &b in &original {
            if b == 0x0A {
                mangled.push('\r');
            }
            mangled.push(char::from(b));
        }
        let t = decode(mangled.into_bytes()).unwrap();
        assert_eq!(t.text, "ok\r\nline two\r\n");
        assert_eq!(t.encoding, Encoding::Utf16Le);
        assert!(t.note.unwrap().contains("re-encoded"));
    }

    #[test]
    fn binary_and_invalid_utf8_are_rejected() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01".to_vec()),
            Err(ReadError::Binary)
        ));
        let latin1 = b"name;time \xB5s\nfoo;\xB5\xB5\n".to_vec();
        assert!(matches!(
            decode(latin1),
            Err(ReadError::NotText {
                invalid: 3,
                first: 10
            })
        ));
    }

    #[test]
    fn a_stray_invalid_byte_is_replaced() {
        let mut bytes = "x".repeat(300).into_bytes();
        bytes[150] = 0xFF;
        let t = decode(bytes).unwrap();
        assert_eq!(t.text.chars().nth(150), Some(char::REPLACEMENT_CHARACTER));
        assert_eq!(
            t.note.as_deref(),
            Some("1 byte(s) that are not UTF-8 (the first at byte 150) were replaced by U+FFFD")
        );
    }
}
