//! Key normalisation: makes the same benchmark match across runs although file and
//! directory names carry timestamps (`conv_bench_20251002-170837.json` -> `conv_bench.json`,
//! `reports/ollama/20251008-122701/x.csv` -> `reports/ollama/x.csv`).
//!
//! Recognised stamps: ISO dates with an optional time (`2025-10-08`, `2025-10-08T16-27-01`,
//! `2025_10_08`), compact date-times (`20251002-170837`, `20250930_133204`), compact dates
//! (`20251008`) and Unix epochs in seconds or milliseconds (`1759098967`). A stamp must be a
//! whole run of digits (not part of a longer number) and a plausible date, so meaningful
//! numbers such as `llama-2-7b`, `qps_16`, `tp8_pp2` or `Q4_0` are left alone.

use regex::Regex;
use std::sync::OnceLock;

/// Placeholder for a file name that was nothing but a stamp (`20251008.json`).
const STAMP_ONLY_NAME: &str = "stamp";

/// Removes date/time and epoch stamps from every component of a relative path. A directory
/// that is only a stamp disappears; a file name that is only a stamp becomes `stamp`.
/// Empty components (`a//b`) are dropped. A history summary (`runs.csv.benchgate.json`)
/// stands for its source (`runs.csv`). The result is idempotent.
pub fn normalize_path(rel_path: &str) -> String {
    let rel_path = rel_path
        .strip_suffix(crate::history::summary::SUFFIX)
        .unwrap_or(rel_path);
    let parts: Vec<&str> = rel_path.split('/').filter(|c| !c.is_empty()).collect();
    let last = parts.len().saturating_sub(1);
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        if i == last {
            out.push(normalize_file_name(part));
        } else {
            let cleaned = strip_stamps(part);
            if !cleaned.is_empty() {
                out.push(cleaned);
            }
        }
    }
    out.join("/")
}

fn normalize_file_name(name: &str) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && !name[i + 1..].is_empty() && is_extension(&name[i + 1..]) => {
            (&name[..i], &name[i..])
        }
        _ => (name, ""),
    };
    let cleaned = strip_stamps(stem);
    if cleaned.is_empty() {
        format!("{STAMP_ONLY_NAME}{ext}")
    } else {
        format!("{cleaned}{ext}")
    }
}

/// An extension is short and alphanumeric with at least one letter (`json`, `mp4`), never
/// a number (`1759098967`).
fn is_extension(ext: &str) -> bool {
    ext.len() <= 8
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext.chars().any(|c| c.is_ascii_alphabetic())
}

/// The stamp shapes, each checked for plausibility separately so that one shape failing
/// (`1759098967` is no `YYYYMMDD` date) does not hide another (it is an epoch).
fn stamp_res() -> &'static [Regex; 3] {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            // ISO date with optional time: 2025-10-08, 2025-10-08T16-27-01, 2025_10_08 16:27
            concat!(
                r"(?P<y>\d{4})[-_.](?P<m>\d{2})[-_.](?P<d>\d{2})",
                r"(?:[T_ -](?P<h>\d{2})[-:_]?(?P<mi>\d{2})(?:[-:_]?(?P<s>\d{2})(?:\.\d{1,9})?)?",
                r"(?:Z|[+-]\d{2}:?\d{2})?)?",
            ),
            // Compact date with optional time: 20251002-170837, 20250930_133204, 20251008
            r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:[-_T]?(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?Z?)?",
            // Unix epoch in seconds or milliseconds (2001..2033 or 2033..2603 for `20..`).
            r"(?P<epoch>(?:1\d{9}|20\d{8})(?:\d{3})?)",
        ]
        .map(|re| Regex::new(re).expect("static regex"))
    })
}

/// True when the digits of one match form a plausible calendar date and time.
fn plausible(caps: &regex::Captures) -> bool {
    if caps.name("epoch").is_some() {
        return true;
    }
    let num = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let date_ok = matches!((num("y"), num("m"), num("d")), (Some(y), Some(m), Some(d))
        if (1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d));
    date_ok
        && num("h").is_none_or(|h| h < 24)
        && num("mi").is_none_or(|m| m < 60)
        && num("s").is_none_or(|s| s < 61)
}

fn is_sep(c: char) -> bool {
    matches!(c, '_' | '-' | '.' | ' ')
}

/// Strips every stamp from one name or path component, with one adjoining separator each,
/// until none is left (`run_2025-10-08` -> `run`). Also used for names read from inside
/// files, such as Markdown headings that carry the generation time.
pub fn strip_stamps(component: &str) -> String {
    let mut s = component.to_string();
    // Each pass that changes the text removes at least one stamp, so this terminates.
    loop {
        let next = strip_once(&s);
        if next == s {
            return s;
        }
        s = next;
    }
}

/// Byte ranges of the stamps in `s`: whole digit runs only, earliest and then longest
/// first, never overlapping.
fn find_stamps(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut found = Vec::new();
    for re in stamp_res() {
        let mut from = 0;
        while let Some(caps) = re.captures_at(s, from) {
            let Some(m) = caps.get(0) else { break };
            let (start, end) = (m.start(), m.end());
            let digit_before = start > 0 && bytes[start - 1].is_ascii_digit();
            let digit_after = end < bytes.len() && bytes[end].is_ascii_digit();
            if !digit_before && !digit_after && plausible(&caps) {
                found.push((start, end));
                from = end;
            } else {
                from = start + 1;
            }
            while from < s.len() && !s.is_char_boundary(from) {
                from += 1;
            }
            if from >= s.len() {
                break;
            }
        }
    }
    found.sort_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for r in found {
        if kept.last().is_none_or(|&(_, end)| r.0 >= end) {
            kept.push(r);
        }
    }
    kept
}

fn strip_once(s: &str) -> String {
    let stamps = find_stamps(s);
    if stamps.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    for (start, end) in stamps {
        if start < pos {
            continue;
        }
        // The stamp goes with the separators around it; one separator stays when there is
        // text on both sides (`kris__20260714-202039-qwen` -> `kris_qwen`).
        let before = &s[pos..start];
        let left_run = before.len() - before.trim_end_matches(is_sep).len();
        let after = &s[end..];
        let right_run = after.len() - after.trim_start_matches(is_sep).len();
        let cut_start = start - left_run;
        let cut_end = end + right_run;
        out.push_str(&s[pos..cut_start]);
        let text_before = !out.is_empty();
        let text_after = cut_end < s.len();
        if text_before && text_after {
            if let Some(sep) = s[cut_start..start]
                .chars()
                .next()
                .or_else(|| after.chars().next())
            {
                out.push(sep);
            }
        }
        pos = cut_end;
    }
    out.push_str(&s[pos..]);
    out.trim_matches(is_sep).to_string()
}

/// Label names that record where or when a number was produced, not what was measured.
const PROVENANCE_NAMES: &[&str] = &[
    "commit",
    "sha",
    "git_sha",
    "git_commit",
    "build_commit",
    "commit_sha",
    "revision",
    "build_number",
    "build_id",
    "run_id",
    "run_number",
    "job_id",
    "session_id",
    "uuid",
    "timestamp",
    "date",
    "datetime",
    "created_at",
    "started_at",
];

/// Whether a label is provenance rather than identity: a name such as `build_commit` or
/// `run_id`, or a value that is a commit hash (7 to 40 hex digits with letters and
/// digits), a UUID, or a date/time or epoch stamp. Such labels differ on every run and
/// would keep base and head series from ever meeting.
pub fn is_provenance(name: &str, value: &str) -> bool {
    let (name, value) = (name.trim(), value.trim());
    PROVENANCE_NAMES.iter().any(|p| same_name(p, name))
        || is_hash(value)
        || is_uuid(value)
        || is_stamp(value)
}

/// `known` (lower case, `_` between words) against a label name in any case, with `-` or
/// spaces between words.
fn same_name(known: &str, name: &str) -> bool {
    known.len() == name.len()
        && known.bytes().zip(name.bytes()).all(|(k, n)| {
            let n = match n {
                b'-' | b' ' => b'_',
                n => n.to_ascii_lowercase(),
            };
            k == n
        })
}

fn is_hash(value: &str) -> bool {
    let v = value.trim();
    (7..=40).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && v.bytes().any(|b| b.is_ascii_digit())
        && v.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_uuid(value: &str) -> bool {
    let v = value.trim().as_bytes();
    v.len() == 36
        && v.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A value that is nothing but a date/time or epoch stamp (`2025-10-08T16:27:01Z`).
fn is_stamp(value: &str) -> bool {
    let v = value.trim();
    // Every stamp has at least eight digits; most values are ruled out without a regex.
    if v.bytes().filter(u8::is_ascii_digit).count() < 8 {
        return false;
    }
    let rest = strip_stamps(v);
    rest != v
        && rest
            .chars()
            .all(|c| !c.is_alphanumeric() || matches!(c, 'T' | 'Z'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stamps_are_removed() {
        let cases = [
            ("conv_bench_20251002-170837.json", "conv_bench.json"),
            (
                "reports/ollama/20251008-122701/x.csv",
                "reports/ollama/x.csv",
            ),
            (
                "baseline_test_results_1759098967.json",
                "baseline_test_results.json",
            ),
            (
                "chimera_metrics_20250930_133204.json",
                "chimera_metrics.json",
            ),
            ("run_2025-10-08.md", "run.md"),
            (
                "reports/2025-10-08T16-27-01/summary.json",
                "reports/summary.json",
            ),
            ("2025-10-08_report.md", "report.md"),
            ("bench_20251008.csv", "bench.csv"),
            ("bench_1759098967123.json", "bench.json"),
            ("a_20251002-170837_b.json", "a_b.json"),
            (
                "kris__20260714-202039-qwen3.6-27b__results.csv",
                "kris_qwen3.6-27b__results.csv",
            ),
            ("results.2025-10-08.json", "results.json"),
            ("logs/2025_10_08/out.txt", "logs/out.txt"),
            ("20251008.json", "stamp.json"),
            ("./reports//x.csv", "./reports/x.csv"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_path(raw), want, "{raw}");
        }
    }

    #[test]
    fn meaningful_numbers_stay() {
        for raw in [
            "llama-2-7b/results.json",
            "qps_16.json",
            "gpu80_ctx1024.csv",
            "tp8_pp2/run_1.json",
            "gemma3_270m_baseline.csv",
            "Q4_0/bench.md",
            "v2/out.json",
            "batch_32_seq_2048.json",
            "12345678901234.json",
            "port_8080.txt",
            "model_99999999.json",
        ] {
            assert_eq!(normalize_path(raw), raw, "{raw}");
        }
    }

    proptest! {
        #[test]
        fn idempotent_and_no_empty_components(s in "[a-z0-9_./ -]{0,40}") {
            let once = normalize_path(&s);
            prop_assert_eq!(normalize_path(&once), once.clone());
            prop_assert!(once.is_empty() || once.split('/').all(|c| !c.is_empty()));
        }

        #[test]
        fn stamps_in_any_position(prefix in "[a-z]{1,6}", y in 2000u32..2040, m in 1u32..13,
                                  d in 1u32..29, t in 0u32..235959) {
            let t = t.min(235959);
            let path = format!("{prefix}/{y:04}{m:02}{d:02}-{:06}/{prefix}_{y:04}-{m:02}-{d:02}.json",
                               (t / 10000 % 24) * 10000 + (t / 100 % 60) * 100 + t % 60);
            prop_assert_eq!(normalize_path(&path), format!("{prefix}/{prefix}.json"));
        }

        #[test]
        fn idempotent_on_stamp_like_pieces(pieces in proptest::collection::vec(
            prop_oneof![
                Just("2025"), Just("10"), Just("08"), Just("20251008"), Just("170837"),
                Just("1759098967"), Just("_"), Just("-"), Just("."), Just("/"), Just("T"),
                Just("a"), Just("json"), Just("7"),
            ],
            0..16,
        )) {
            let s = pieces.concat();
            let once = normalize_path(&s);
            prop_assert_eq!(normalize_path(&once), once.clone());
            prop_assert!(once.is_empty() || once.split('/').all(|c| !c.is_empty()));
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let once = normalize_path(&s);
            prop_assert_eq!(normalize_path(&once), once.clone());
            prop_assert!(once.is_empty() || once.split('/').all(|c| !c.is_empty()));
        }
    }

    #[test]
    fn provenance_labels() {
        for (name, value) in [
            ("build_commit", "3f2a9c1"),
            ("toolbox", "a1b2c3d4e5f6"),
            ("run", "2025-10-08T16:27:01Z"),
            ("started", "1759098967"),
            ("id", "123e4567-e89b-12d3-a456-426614174000"),
            ("run_id", "7"),
        ] {
            assert!(is_provenance(name, value), "{name}={value}");
        }
        for (name, value) in [
            ("num_gpu", "80"),
            ("model", "gemma3"),
            ("quant", "Q4_0"),
            ("backend", "deadbeef"),
            ("n_prompt", "1024"),
            ("model", "llama-2-7b"),
        ] {
            assert!(!is_provenance(name, value), "{name}={value}");
        }
    }
}
