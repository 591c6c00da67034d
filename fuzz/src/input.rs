//! The layout of a fuzz input, shared by the fuzz targets and the test that replays saved
//! crashes (which includes this file by path): `PATH\nCONTENT`, where everything up to the
//! first line feed (at most [`MAX_PATH`] bytes) is the file's path relative to the scanned
//! root, so the fuzzer chooses the file name and extension that detection looks at. An
//! input without a line feed there is the content of `input.txt`.

/// Longest virtual path taken from the start of an input.
pub const MAX_PATH: usize = 200;

/// Splits a fuzz input into a virtual path and the file's bytes.
pub fn split(data: &[u8]) -> (String, &[u8]) {
    let head = &data[..data.len().min(MAX_PATH + 1)];
    match head.iter().position(|&b| b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => ("input.txt".to_string(), data),
    }
}
