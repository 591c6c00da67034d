//! Numbers and units as real benchmark files write them: thousands separators
//! (`1,234.5`, Indian grouping `22,80,000`), units in cells (`1.387 ms`, `97.8 tok/s`),
//! `mean ± sd` cells, Markdown emphasis, Go-style durations (`1m13.9s`), unit spellings
//! normalised (`µs` -> `us`, `tok/s` -> `tokens/s`) and conversion between units of one
//! dimension (`ms` -> `s`, `MiB/s` -> `MB/s`).

use regex::Regex;
use std::sync::OnceLock;

/// A number with the unit written next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    /// Normalised unit, empty when none was written.
    pub unit: String,
}

/// Longest cell that is still read as a quantity; anything longer is prose.
const MAX_CELL_LEN: usize = 64;

/// Parses a cell such as `1.387 ms`, `22,80,000`, `97.8 tok/s`, `12.5%`, `1.89x`, `**12.3**`
/// or `12.34 ± 0.05` (the mean is kept). Returns `None` for non-numbers (`OOM`, `-`, `N/A`,
/// empty, NaN, infinities, values that overflow `f64`).
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    if let Some(value) = plain_number(text) {
        return Some(Quantity {
            value,
            unit: String::new(),
        });
    }
    let cleaned = clean_cell(text)?;
    // `mean ± sd`: keep the mean; the unit may follow the spread (`12.3 ± 0.5 ms`).
    let (main, spread) = split_spread(&cleaned);
    let mut q = parse_single(main)?;
    if q.unit.is_empty() {
        if let Some(unit) = spread.and_then(parse_single).map(|s| s.unit) {
            q.unit = unit;
        }
    }
    Some(q)
}

/// Fast path for the most common cell, a bare decimal number (`77.93`, `-0.5`, `1e-3`):
/// only digits, signs, points and exponents, which the general path reads the same way.
pub fn plain_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let plain = t.len() <= MAX_CELL_LEN
        && t.bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plain {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Strips what decorates a number without changing it: surrounding whitespace, Markdown
/// emphasis and code markers, approximation signs and a trailing parenthesised note.
fn clean_cell(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || t.len() > MAX_CELL_LEN {
        return None;
    }
    let mut s: String = t
        .chars()
        .filter(|c| !matches!(c, '*' | '`'))
        .map(|c| match c {
            '\u{2212}' => '-',
            '\u{00a0}' | '\u{202f}' => ' ',
            c => c,
        })
        .collect();
    s = s.trim().trim_matches('_').trim().to_string();
    if let Some(open) = s.find('(') {
        if s.ends_with(')') && open > 0 {
            s.truncate(open);
        }
    }
    let s = s
        .trim()
        .trim_start_matches(['~', '≈'])
        .trim_start()
        .to_string();
    (!s.is_empty()).then_some(s)
}

fn split_spread(s: &str) -> (&str, Option<&str>) {
    for sep in ["±", "+/-", "+-"] {
        if let Some((a, b)) = s.split_once(sep) {
            return (a.trim(), Some(b.trim()));
        }
    }
    (s, None)
}

fn number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(?P<pre>[^0-9+\-.]*?)\s*(?P<num>[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(?P<post>.*)$",
        )
        .expect("static regex")
    })
}

fn unit_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[A-Za-zµμ%°$€£×][A-Za-zµμ%°/ _²³·]{0,30}$").expect("static regex")
    })
}

/// Symbols that may precede a number as its unit (`$12`, `x1.89`).
const PREFIX_UNITS: &[&str] = &["$", "€", "£", "x", "×"];

fn parse_single(s: &str) -> Option<Quantity> {
    let caps = number_re().captures(s)?;
    let num = caps.name("num").map_or("", |m| m.as_str());
    let pre = caps.name("pre").map_or("", |m| m.as_str()).trim();
    let post = caps.name("post").map_or("", |m| m.as_str()).trim();
    if !post.is_empty() && post.starts_with(|c: char| c.is_ascii_digit()) {
        // A compound duration such as `1m13.9s` reads as a number followed by a unit.
        return parse_duration_secs(s).map(|v| Quantity {
            value: v,
            unit: "s".into(),
        });
    }
    let value = parse_number(num)?;
    let unit = match (pre.is_empty(), post.is_empty()) {
        (true, true) => String::new(),
        (true, false) => {
            // A unit of several words must be a known one (`tokens per second`), so that
            // prose after a number (`5 prompts tested`) is not read as a unit.
            let words = post.split_whitespace().count();
            if !unit_re().is_match(post) || words > 1 && !is_known_unit(post) {
                return parse_duration_secs(s).map(|v| Quantity {
                    value: v,
                    unit: "s".into(),
                });
            }
            normalize_unit(post)
        }
        (false, true) if PREFIX_UNITS.contains(&pre) => normalize_unit(pre),
        _ => return None,
    };
    Some(Quantity { value, unit })
}

/// Parses a plain number with optional grouping commas. Grouping must be well formed:
/// the last group has three digits and earlier groups two or three (`1,234`, `22,80,000`),
/// so that a decimal comma (`1,5`) is never misread.
fn parse_number(num: &str) -> Option<f64> {
    let plain = if num.contains(',') {
        let unsigned = num.trim_start_matches(['+', '-']);
        let int_part = unsigned.split(['.', 'e', 'E']).next().unwrap_or("");
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = groups
            .first()
            .is_some_and(|g| (1..=3).contains(&g.len()) && !g.is_empty());
        let last_ok = groups.last().is_some_and(|g| g.len() == 3);
        let middle_ok = groups.iter().skip(1).all(|g| g.len() == 2 || g.len() == 3);
        if !(first_ok && last_ok && middle_ok && groups.len() > 1) {
            return None;
        }
        num.replace(',', "")
    } else {
        num.to_string()
    };
    let v: f64 = plain.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Canonical spelling of a unit (`µs`/`μs` -> `us`, `tok/s`/`t/s`/`tokens per second` ->
/// `tokens/s`, `ops/sec` -> `ops/s`, `bytes` -> `B`, ...). Unknown units come back trimmed.
pub fn normalize_unit(unit: &str) -> String {
    let t = unit.trim();
    if t.is_empty() {
        return String::new();
    }
    if let Some(canon) = canonical_word(t) {
        return canon.to_string();
    }
    // `X per Y` and `X/Y`: normalise both sides (`MiB/sec` -> `MiB/s`, `ms/token`).
    let lower = t.to_lowercase();
    let split = lower
        .split_once(" per ")
        .map(|(a, b)| (a.len(), a.len() + 5, b))
        .or_else(|| t.split_once('/').map(|(a, b)| (a.len(), a.len() + 1, b)));
    if let Some((num_end, den_start, _)) = split {
        let num = t[..num_end].trim();
        let den = t[den_start..].trim();
        if !num.is_empty() && !den.is_empty() && !den.contains('/') {
            let num = canonical_word(num).map_or_else(|| num.to_string(), str::to_string);
            let den = match canonical_word(den) {
                Some(d) => d.to_string(),
                None => den.to_string(),
            };
            let joined = format!("{num}/{den}");
            return canonical_word(&joined).map_or(joined, str::to_string);
        }
    }
    t.to_string()
}

/// True when `unit` is a unit this module knows: a time, a data size, a rate of either or of
/// a count (`tokens/s`), a per-operation value (`ns/op`), `%`, `x`, watts or degrees.
/// Used to tell a unit (`Latency (ms)`) from other text in parentheses (`Player (Boss)`).
pub fn is_known_unit(unit: &str) -> bool {
    let canon = normalize_unit(unit);
    if canon.is_empty() {
        return false;
    }
    let known = |u: &str| canonical_word(u).is_some() || data_factor(u).is_some();
    match canon.split_once('/') {
        Some((num, den)) => known(num) || known(den) && time_factor(den).is_some(),
        None => known(&canon),
    }
}

/// The unit a metric name spells in its suffix: `ttft_ms` -> `ms`, `load_s` -> `s`,
/// `tokens_s` and `throughput_tokens_per_sec` -> `tokens/s`, `gpu_peak_mb` -> `MB`,
/// `efficiency_percent` -> `%`. Empty when the name carries no unit.
pub fn unit_from_name(name: &str) -> &'static str {
    if name.contains('/') {
        // `ops/sec`, `tok/s`: a unit, not a name with a unit suffix.
        return "";
    }
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    let words: Vec<&str> = last
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let Some(&unit_word) = words.last() else {
        return "";
    };
    let before = words.len().checked_sub(2).map(|i| words[i]);
    let per_time = matches!(unit_word, "s" | "sec" | "second" | "seconds");
    let counted = before
        .filter(|b| *b == "per")
        .map_or(before, |_| words.len().checked_sub(3).map(|i| words[i]));
    if per_time {
        match counted {
            Some("tokens" | "token" | "tok" | "t") => return "tokens/s",
            Some("requests" | "request" | "req" | "reqs") => return "req/s",
            Some("ops" | "op" | "operations") => return "ops/s",
            Some("items" | "item") => return "items/s",
            Some("mb") => return "MB/s",
            Some("gb") => return "GB/s",
            _ if before == Some("per") => return "",
            _ => {}
        }
    }
    match unit_word {
        "ns" => "ns",
        "us" => "us",
        "ms" => "ms",
        "s" | "sec" | "secs" | "seconds" => "s",
        "min" | "minutes" => "min",
        "b" | "bytes" => "B",
        "kb" => "KB",
        "mb" => "MB",
        "gb" => "GB",
        "kib" => "KiB",
        "mib" => "MiB",
        "gib" => "GiB",
        "percent" | "pct" => "%",
        "tps" => "tokens/s",
        "rps" => "req/s",
        "watts" => "W",
        _ => "",
    }
}

/// The canonical spelling of a single unit word or of a known compound unit.
fn canonical_word(unit: &str) -> Option<&'static str> {
    // Case matters for data units (`B` is bytes, `b` is bits; `MB` vs `mb` is only spelling).
    let exact = match unit {
        "B" => Some("B"),
        "KB" | "kB" | "kb" | "Kb" => Some("KB"),
        "MB" | "mb" | "Mb" => Some("MB"),
        "GB" | "gb" | "Gb" => Some("GB"),
        "TB" | "tb" => Some("TB"),
        "KiB" | "kib" | "KIB" => Some("KiB"),
        "MiB" | "mib" | "MIB" => Some("MiB"),
        "GiB" | "gib" | "GIB" => Some("GiB"),
        "TiB" | "tib" => Some("TiB"),
        "W" | "w" => Some("W"),
        "J" => Some("J"),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    let lower = unit.to_lowercase();
    let l = lower.trim();
    Some(match l {
        "ns" | "nsec" | "nanosecond" | "nanoseconds" => "ns",
        "us" | "µs" | "μs" | "usec" | "microsecond" | "microseconds" => "us",
        "ms" | "msec" | "millisecond" | "milliseconds" | "millis" => "ms",
        "s" | "sec" | "secs" | "second" | "seconds" => "s",
        "min" | "mins" | "minute" | "minutes" => "min",
        "h" | "hr" | "hrs" | "hour" | "hours" => "h",
        "tok/s" | "t/s" | "tps" | "tok/sec" | "token/s" | "tokens/s" | "tokens/sec"
        | "tokens/second" | "tokens per second" | "tokens per sec" | "tok per sec" => "tokens/s",
        "req/s"
        | "req/sec"
        | "reqs/s"
        | "request/s"
        | "requests/s"
        | "requests/sec"
        | "requests per second"
        | "rps" => "req/s",
        "ops/s"
        | "ops/sec"
        | "op/s"
        | "operations/s"
        | "operations/sec"
        | "operations per second" => "ops/s",
        "items/s" | "items/sec" | "item/s" => "items/s",
        "byte" | "bytes" => "B",
        "%" | "percent" | "pct" => "%",
        "x" | "×" => "x",
        "watt" | "watts" => "W",
        "°c" | "celsius" | "degc" => "°C",
        "ns/op" => "ns/op",
        "b/op" | "bytes/op" => "B/op",
        "allocs/op" => "allocs/op",
        _ => return None,
    })
}

fn duration_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|μs|ms|min|h|m|s)").expect("static regex")
    })
}

/// Parses a duration such as `1m13.9s`, `417ms`, `2.5µs`, `1h2m3s` or `0.5 s` into seconds.
/// Every character must belong to a `<number><unit>` part; `None` otherwise.
pub fn parse_duration_secs(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.len() > MAX_CELL_LEN {
        return None;
    }
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let mut pos = 0;
    let mut total = 0.0;
    for caps in duration_re().captures_iter(body) {
        let m = caps.get(0)?;
        if !body[pos..m.start()].trim().is_empty() {
            return None;
        }
        pos = m.end();
        let v: f64 = caps[1].parse().ok()?;
        total += v * time_factor(&caps[2])?;
    }
    if pos == 0 || !body[pos..].trim().is_empty() {
        return None;
    }
    let total = if negative { -total } else { total };
    total.is_finite().then_some(total)
}

/// Seconds per unit of time.
fn time_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1e-9,
        "us" | "µs" | "μs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return None,
    })
}

/// Bytes per unit of data.
fn data_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "B" => 1.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

/// What one side of a unit measures, and the factor to the base unit of that dimension.
#[derive(Debug, PartialEq)]
enum Dim {
    Time,
    Data,
    Other(String),
}

fn dimension(word: &str) -> (Dim, f64) {
    let canon = normalize_unit(word);
    if let Some(f) = time_factor(&canon) {
        (Dim::Time, f)
    } else if let Some(f) = data_factor(&canon) {
        (Dim::Data, f)
    } else {
        (Dim::Other(canon), 1.0)
    }
}

/// Splits a normalised unit into numerator and optional denominator with their factors.
fn decompose(unit: &str) -> ((Dim, f64), Option<(Dim, f64)>) {
    let canon = normalize_unit(unit);
    match canon.split_once('/') {
        Some((num, den)) => (dimension(num), Some(dimension(den))),
        None => (dimension(&canon), None),
    }
}

/// Converts `value` from `from` to `to` when both units measure the same dimension
/// (time: ns/us/ms/s/min/h; data: B/KB/MB/GB and KiB/MiB/GiB; rates and per-item values
/// of those such as `MB/s` or `ns/op`; `tokens/s` to `tokens/ms`). Returns `None` for
/// incompatible or unknown units.
pub fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    conversion(from, to)?.apply(value)
}

/// How values go from one unit to another: [`conversion`] reads both units once, and
/// [`Conversion::apply`] gives what [`convert`] gives, for callers that convert many values
/// between few units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Conversion {
    /// Two spellings of one unit: values stay as they are.
    Same,
    /// Numerator factors of both units and the ratio of their denominators.
    Scale { from: f64, to: f64, den_ratio: f64 },
}

impl Conversion {
    /// `value` in the target unit; `None` when it does not fit in a finite number.
    pub fn apply(self, value: f64) -> Option<f64> {
        match self {
            Conversion::Same => Some(value),
            Conversion::Scale {
                from,
                to,
                den_ratio,
            } => {
                let out = value * from / to / den_ratio;
                out.is_finite().then_some(out)
            }
        }
    }
}

/// The conversion from `from` to `to` (see [`convert`]); `None` for incompatible or unknown
/// units.
pub fn conversion(from: &str, to: &str) -> Option<Conversion> {
    if normalize_unit(from) == normalize_unit(to) {
        return Some(Conversion::Same);
    }
    let ((fnum, fnf), fden) = decompose(from);
    let ((tnum, tnf), tden) = decompose(to);
    if fnum != tnum {
        return None;
    }
    let den_ratio = match (fden, tden) {
        (None, None) => 1.0,
        (Some((fd, ff)), Some((td, tf))) if fd == td => ff / tf,
        _ => return None,
    };
    Some(Conversion::Scale {
        from: fnf,
        to: tnf,
        den_ratio,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Option<(f64, String)> {
        parse_quantity(text).map(|q| (q.value, q.unit))
    }

    #[test]
    fn plain_numbers_read_as_the_general_path_reads_them() {
        let general = |t: &str| {
            let cleaned = clean_cell(t)?;
            let (main, _) = split_spread(&cleaned);
            parse_single(main).map(|q| (q.value, q.unit))
        };
        for t in [
            "77.93", " 0.083 ", "999", "-0.5", "+5", "5.", ".5", "-.5", "1e5", "1E-3", "1.5e+3",
            "00012", "-0",
        ] {
            assert_eq!(
                plain_number(t).map(|v| (v, String::new())),
                general(t),
                "{t}"
            );
        }
        // Not plain numbers: left to the general path.
        for t in ["1e400", "1.2.3", "e5", "--5", "1e", "+-5", "", "-"] {
            assert_eq!(plain_number(t), None, "{t}");
        }
    }

    #[test]
    fn plain_numbers_signs_and_exponents() {
        assert_eq!(q("42"), Some((42.0, String::new())));
        assert_eq!(q(" -3.5 "), Some((-3.5, String::new())));
        assert_eq!(q("+0.25"), Some((0.25, String::new())));
        assert_eq!(q("1.5e-3"), Some((0.0015, String::new())));
        assert_eq!(q("2E3"), Some((2000.0, String::new())));
        assert_eq!(q(".5"), Some((0.5, String::new())));
        assert_eq!(q("−7"), Some((-7.0, String::new())));
        assert_eq!(
            q("0.30000001192092896").map(|v| v.0),
            Some(0.30000001192092896)
        );
    }

    #[test]
    fn thousands_and_indian_grouping() {
        assert_eq!(q("1,234.5"), Some((1234.5, String::new())));
        assert_eq!(q("22,80,000"), Some((2_280_000.0, String::new())));
        assert_eq!(q("1,000,000"), Some((1_000_000.0, String::new())));
        assert_eq!(q("-12,345"), Some((-12345.0, String::new())));
        assert_eq!(q("1,5"), None);
        assert_eq!(q("1,2345"), None);
    }

    #[test]
    fn units_after_and_before() {
        assert_eq!(q("1.387 ms"), Some((1.387, "ms".into())));
        assert_eq!(q("97.8 tok/s"), Some((97.8, "tokens/s".into())));
        assert_eq!(q("12.5%"), Some((12.5, "%".into())));
        assert_eq!(q("1.89x"), Some((1.89, "x".into())));
        assert_eq!(q("x1.89"), Some((1.89, "x".into())));
        assert_eq!(q("$12"), Some((12.0, "$".into())));
        assert_eq!(q("3.2 µs"), Some((3.2, "us".into())));
        assert_eq!(
            q("108.54 tokens per second"),
            Some((108.54, "tokens/s".into()))
        );
        assert_eq!(q("123 ns/op"), Some((123.0, "ns/op".into())));
        assert_eq!(q("7.5 GiB"), Some((7.5, "GiB".into())));
        assert_eq!(q("1,024 bytes"), Some((1024.0, "B".into())));
        assert_eq!(q("65 °C"), Some((65.0, "°C".into())));
        assert_eq!(q("5 prompts tested"), None);
        assert_eq!(q("75.7% efficiency"), None);
    }

    #[test]
    fn emphasis_and_spread() {
        assert_eq!(q("**12.3**"), Some((12.3, String::new())));
        assert_eq!(q("*4.5 ms*"), Some((4.5, "ms".into())));
        assert_eq!(q("__7__"), Some((7.0, String::new())));
        assert_eq!(q("`9`"), Some((9.0, String::new())));
        assert_eq!(q("12.34 ± 0.05"), Some((12.34, String::new())));
        assert_eq!(q("12.34 ± 0.05 ms"), Some((12.34, "ms".into())));
        assert_eq!(q("5.1 +/- 0.2"), Some((5.1, String::new())));
        assert_eq!(q("1.2 ms (p50)"), Some((1.2, "ms".into())));
        assert_eq!(q("~3.0 s"), Some((3.0, "s".into())));
    }

    #[test]
    fn compound_durations_read_as_seconds() {
        assert_eq!(q("1m13.9s").map(|v| v.1), Some("s".into()));
        let v = q("1m13.9s").map(|v| v.0).unwrap_or_default();
        assert!((v - 73.9).abs() < 1e-9);
    }

    #[test]
    fn non_numbers() {
        for text in [
            "",
            " ",
            "-",
            "N/A",
            "n/a",
            "OOM",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "Infinity",
            "1e309",
            "-1e309",
            "abc",
            "v2",
            "Q4_0",
            "llama-2-7b",
            "2025-10-08",
            "gemma3:270m",
            "1.2.3",
            "12 apples and 3 pears on a very long line",
        ] {
            assert_eq!(q(text), None, "{text:?}");
        }
    }

    #[test]
    fn unit_spellings() {
        let cases = [
            ("µs", "us"),
            ("μs", "us"),
            ("usec", "us"),
            ("tok/s", "tokens/s"),
            ("t/s", "tokens/s"),
            ("tokens/sec", "tokens/s"),
            ("Tokens per Second", "tokens/s"),
            ("req/s", "req/s"),
            ("requests/sec", "req/s"),
            ("ops/sec", "ops/s"),
            ("bytes", "B"),
            ("B", "B"),
            ("mb", "MB"),
            ("MiB/sec", "MiB/s"),
            ("MB per second", "MB/s"),
            ("ms/token", "ms/token"),
            ("seconds", "s"),
            ("Percent", "%"),
            (" ms ", "ms"),
            ("ns/op", "ns/op"),
            ("furlongs", "furlongs"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_unit(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn units_from_names() {
        let cases = [
            ("ttft_ms", "ms"),
            ("load_s", "s"),
            ("compile_time_s", "s"),
            ("tokens_s", "tokens/s"),
            ("mean_tokens_s", "tokens/s"),
            ("throughput_tokens_per_sec", "tokens/s"),
            ("requests_per_second", "req/s"),
            ("gpu_peak_mb", "MB"),
            ("model_size_bytes", "B"),
            ("efficiency_percent", "%"),
            ("timing_stats.p50_ms", "ms"),
            ("workflow.analysis_seconds", "s"),
            ("avg_ts", ""),
            ("speedup", ""),
            ("eval_count", ""),
            ("runs_per_s", ""),
            ("ops/sec", ""),
            ("", ""),
        ];
        for (name, want) in cases {
            assert_eq!(unit_from_name(name), want, "{name}");
        }
    }

    #[test]
    fn known_units() {
        for u in [
            "ms", "µs", "tok/s", "TPS", "MB/s", "GiB", "%", "x", "ns/op", "req/s", "W",
        ] {
            assert!(is_known_unit(u), "{u}");
        }
        for u in ["", "Encouraging", "Memory", "apples/box", "block"] {
            assert!(!is_known_unit(u), "{u}");
        }
    }

    #[test]
    fn durations() {
        let cases = [
            ("1m13.9s", 73.9),
            ("417ms", 0.417),
            ("2.5µs", 2.5e-6),
            ("2.5us", 2.5e-6),
            ("1h2m3s", 3723.0),
            ("0.5s", 0.5),
            ("0.5 s", 0.5),
            ("12ns", 12e-9),
            ("3min", 180.0),
            ("1m 30s", 90.0),
        ];
        for (text, want) in cases {
            let got = parse_duration_secs(text).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-9 * want.max(1.0), "{text}: {got}");
        }
        for bad in ["", "abc", "12", "1x", "s", "1m13.9s extra", "1.2.3s"] {
            assert_eq!(parse_duration_secs(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn conversions() {
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs());
        assert!(close(convert(1500.0, "ms", "s"), 1.5));
        assert!(close(convert(2.0, "min", "s"), 120.0));
        assert!(close(convert(1.0, "h", "ms"), 3.6e6));
        assert!(close(convert(3.0, "µs", "ns"), 3000.0));
        assert!(close(convert(1.0, "GiB", "MiB"), 1024.0));
        assert!(close(convert(1.0, "GB", "MB"), 1000.0));
        assert!(close(convert(1.0, "MiB", "B"), 1_048_576.0));
        assert!(close(convert(2048.0, "bytes", "KiB"), 2.0));
        assert!(close(convert(1.0, "MB/s", "KB/s"), 1000.0));
        assert!(close(convert(1.0, "MB/ms", "MB/s"), 1000.0));
        assert!(close(convert(1000.0, "ns/op", "us/op"), 1.0));
        assert!(close(convert(100.0, "tok/s", "tokens/s"), 100.0));
        assert!(close(convert(1.0, "tokens/ms", "tokens/s"), 1000.0));
        assert_eq!(convert(1.0, "ms", "MB"), None);
        assert_eq!(convert(1.0, "MB/s", "MB"), None);
        assert_eq!(convert(1.0, "tokens/s", "req/s"), None);
        assert_eq!(convert(1.0, "furlongs", "ms"), None);
    }
}
