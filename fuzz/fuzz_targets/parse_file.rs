//! The whole parse stage as a scan sees one file: raw bytes are decoded like a file read
//! from disk, then `parse::parse_file` picks an adapter by content and the fuzzer-chosen
//! path, so every adapter and the decoder are reached.

#![no_main]

use benchgate::collect::decode;
use benchgate::parse::{parse_file, Input};
use benchgate_fuzz::{check_parsed, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (path, content) = split(data);
    let Ok(text) = decode(content.to_vec()) else {
        return;
    };
    let input = Input {
        path: &path,
        text: &text.text,
    };
    let parsed = parse_file(&input);
    assert_eq!(format!("{parsed:?}"), format!("{:?}", parse_file(&input)));
    if parsed.series.is_empty() {
        assert!(
            parsed.warnings.iter().any(|w| w.path == path),
            "a file without series must get a warning naming it: {parsed:?}"
        );
    }
    check_parsed(&path, &parsed);
});
