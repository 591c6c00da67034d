//! Template filters: `md` (make untrusted text inert in Markdown), `num`, `pct`, `unit`,
//! `pvalue` (number formatting), `labels` (a label map as text) and `url` (a link target
//! that cannot break out of a Markdown link).

use minijinja::value::ValueKind;
use minijinja::{Environment, Error, ErrorKind, Value};

/// Default length cap of `md`, in characters.
pub const MD_DEFAULT_MAX: usize = 200;

/// Registers every filter of this module on `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_filter("md", md_filter);
    env.add_filter("num", num_filter);
    env.add_filter("pct", pct_filter);
    env.add_filter("unit", unit_filter);
    env.add_filter("pvalue", pvalue_filter);
    env.add_filter("labels", labels_filter);
    env.add_filter("url", url_filter);
    env.add_filter("guard", guard_markdown);
}

/// The last line of defence for text that is already Markdown (the analysis statements):
/// keeps its formatting but turns `<`/`>` into entities (no HTML), escapes `![` (no
/// images), stops `@` from mentioning anyone and keeps it on one line. Idempotent, so text the analyze stage
/// already made safe comes out unchanged.
pub fn guard_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' | '\n' => out.push(' '),
            '!' if chars.peek() == Some(&'[') => out.push_str("!\\"),
            '@' => {
                out.push('@');
                if !matches!(chars.peek(), Some('\u{200B}' | '\u{200D}')) {
                    out.push('\u{200D}');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn md_filter(value: &Value, max: Option<usize>) -> Result<String, Error> {
    let text = plain_text(value, "md")?;
    Ok(escape_markdown(&text, max.unwrap_or(MD_DEFAULT_MAX)))
}

fn num_filter(value: &Value, digits: Option<usize>) -> Result<String, Error> {
    Ok(match number(value, "num")? {
        Some(v) => format_number(v, digits.unwrap_or(3)),
        None => MISSING.to_string(),
    })
}

fn pct_filter(value: &Value, decimals: Option<usize>) -> Result<String, Error> {
    Ok(match number(value, "pct")? {
        Some(v) => format_percent(v, decimals.unwrap_or(1)),
        None => MISSING.to_string(),
    })
}

fn unit_filter(value: &Value, unit: &Value) -> Result<String, Error> {
    let Some(v) = number(value, "unit")? else {
        return Ok(MISSING.to_string());
    };
    let unit = escape_markdown(&plain_text(unit, "unit")?, 32);
    let n = format_number(v, 3);
    Ok(if unit.is_empty() {
        n
    } else {
        format!("{n} {unit}")
    })
}

fn pvalue_filter(value: &Value) -> Result<String, Error> {
    Ok(match number(value, "pvalue")? {
        Some(p) => format_p_value(p),
        None => MISSING.to_string(),
    })
}

fn labels_filter(value: &Value) -> Result<String, Error> {
    if value.is_none() {
        return Ok(String::new());
    }
    if value.kind() != ValueKind::Map {
        return Err(type_error(
            "labels",
            "a map of label names to values",
            value,
        ));
    }
    let mut parts = Vec::new();
    for key in value.try_iter()? {
        let item = value.get_item(&key)?;
        parts.push(format!(
            "{}={}",
            escape_markdown(&plain_text(&key, "labels")?, 40),
            escape_markdown(&plain_text(&item, "labels")?, 60)
        ));
    }
    Ok(parts.join(", "))
}

fn url_filter(value: &Value) -> Result<String, Error> {
    Ok(safe_url(&plain_text(value, "url")?).unwrap_or_default())
}

/// What a missing number renders as.
const MISSING: &str = "—";

/// The text of a scalar value; `none` is empty, undefined is an error (so that a misspelt
/// field in a template fails instead of rendering as nothing).
fn plain_text(value: &Value, filter: &str) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("`{filter}` got an undefined value (misspelt field?)"),
        ));
    }
    if value.is_none() {
        return Ok(String::new());
    }
    match value.as_str() {
        Some(s) => Ok(s.to_string()),
        None => Ok(value.to_string()),
    }
}

/// A number, `None` for `none`; anything else is a template error.
fn number(value: &Value, filter: &str) -> Result<Option<f64>, Error> {
    if value.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("`{filter}` got an undefined value (misspelt field?)"),
        ));
    }
    if value.is_none() {
        return Ok(None);
    }
    if value.is_number() {
        return f64::try_from(value.clone()).map(Some);
    }
    Err(type_error(filter, "a number or none", value))
}

fn type_error(filter: &str, expected: &str, got: &Value) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("`{filter}` expects {expected}, got {}", got.kind()),
    )
}

/// Makes untrusted text inert in Markdown, inside or outside a table cell: whitespace and
/// control characters collapse to single spaces (a cell cannot end early), bidirectional
/// overrides are dropped, the text is cut to `max` characters, Markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become entities (no HTML, no images), `@` is
/// followed by a zero-width joiner (no mentions), and a zero-width joiner goes before `://`
/// and after `www` so that GitHub does not turn a bare URL into a link.
pub fn escape_markdown(text: &str, max: usize) -> String {
    let mut flat = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !flat.is_empty();
        } else if !is_bidi_control(c) {
            if pending_space {
                flat.push(' ');
                pending_space = false;
            }
            flat.push(c);
        }
    }
    let cut: String = if flat.chars().count() > max {
        let mut s: String = flat.chars().take(max.saturating_sub(1)).collect();
        s.truncate(s.trim_end().len());
        s.push('…');
        s
    } else {
        flat
    };
    let chars: Vec<char> = cut.chars().collect();
    let mut out = String::with_capacity(cut.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if starts_autolink(&chars, i) {
            out.push('\u{200D}');
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200D}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether GitHub would auto-link text at `chars[i]`: the `://` after a scheme
/// (`https://…`) or the `.` after `www` (`www.…`).
fn starts_autolink(chars: &[char], i: usize) -> bool {
    match chars[i] {
        ':' => chars.get(i + 1..i + 3) == Some(&['/', '/'][..]),
        '.' => i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w')),
        _ => false,
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A number with about `digits` significant digits: thousands separators for large
/// values, scientific notation for tiny ones, no trailing zeros.
pub fn format_number(value: f64, digits: usize) -> String {
    if !value.is_finite() {
        return non_finite(value);
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let digits = digits.clamp(1, 12);
    let magnitude = value.abs().log10().floor() as i32;
    if magnitude < -3 {
        let s = format!("{:.*e}", digits - 1, value);
        return match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_fraction(mantissa)),
            None => s,
        };
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    group_thousands(trim_fraction(&format!("{value:.decimals$}")))
}

/// A signed percentage (`+12.3%`, `-4.0%`) with a fixed number of decimals.
pub fn format_percent(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return format!("{}%", non_finite(value));
    }
    let decimals = decimals.min(6);
    let s = group_thousands(&format!("{value:.decimals$}"));
    if s.starts_with('-') {
        format!("{s}%")
    } else {
        format!("+{s}%")
    }
}

/// A p-value as readers expect it: `p<0.001` below that, `p=` and three decimals otherwise.
pub fn format_p_value(p: f64) -> String {
    if p.is_nan() {
        MISSING.to_string()
    } else if p < 0.001 {
        "p<0.001".to_string()
    } else {
        format!("p={:.3}", p.min(1.0))
    }
}

fn non_finite(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value > 0.0 {
        "∞".to_string()
    } else {
        "-∞".to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// An `http(s)` URL safe to put inside `(...)` of a Markdown link or an HTML attribute:
/// characters that could close the link or start markup are percent-encoded.
pub fn safe_url(raw: &str) -> Option<String> {
    let parsed = url::Url::parse(raw.trim()).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    for c in parsed.as_str().chars() {
        match c {
            '(' | ')' | '[' | ']' | '<' | '>' | '"' | '\'' | '`' | ' ' | '!' | '*' | '_' | '|'
            | '\\' => out.push_str(&format!("%{:02X}", c as u32)),
            _ => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(format_number(88.9123, 3), "88.9");
        assert_eq!(format_number(0.30000001192092896, 3), "0.3");
        assert_eq!(format_number(2.0, 3), "2");
        assert_eq!(format_number(29990.4, 3), "29,990");
        assert_eq!(format_number(-1234567.0, 3), "-1,234,567");
        assert_eq!(format_number(0.012345, 3), "0.0123");
        assert_eq!(format_number(0.000123456, 3), "1.23e-4");
        assert_eq!(format_number(999.7, 3), "1,000");
        assert_eq!(format_number(0.0, 3), "0");
        assert_eq!(format_number(f64::NAN, 3), "NaN");
        assert_eq!(format_number(f64::NEG_INFINITY, 3), "-∞");
        assert_eq!(format_number(1.234_567, 5), "1.2346");
    }

    #[test]
    fn percents_are_signed() {
        assert_eq!(format_percent(12.345, 1), "+12.3%");
        assert_eq!(format_percent(-4.0, 1), "-4.0%");
        assert_eq!(format_percent(0.0, 1), "+0.0%");
        assert_eq!(format_percent(12345.6, 0), "+12,346%");
        assert_eq!(format_percent(f64::INFINITY, 1), "∞%");
    }

    #[test]
    fn p_values() {
        assert_eq!(format_p_value(0.0004), "p<0.001");
        assert_eq!(format_p_value(0.0342), "p=0.034");
        assert_eq!(format_p_value(1.0), "p=1.000");
    }

    #[test]
    fn markdown_escaping_neutralises_tables_html_and_mentions() {
        assert_eq!(escape_markdown("a|b", 50), "a\\|b");
        assert_eq!(escape_markdown("<img src=x>", 50), "&lt;img src=x&gt;");
        assert_eq!(escape_markdown("hi @octocat", 50), "hi @\u{200D}octocat");
        let guarded = guard_markdown("**M1** fell <img src=x> @octocat\nnext ![i](u)");
        assert_eq!(
            guarded,
            "**M1** fell &lt;img src=x&gt; @\u{200D}octocat next !\\[i](u)"
        );
        assert_eq!(guard_markdown(&guarded), guarded);
        assert_eq!(guard_markdown("@\u{200B}octocat"), "@\u{200B}octocat");
        assert_eq!(escape_markdown("line1\n\n| x |\r\n", 50), "line1 \\| x \\|");
        assert_eq!(
            escape_markdown("`code` *b* _i_", 50),
            "\\`code\\` \\*b\\* \\_i\\_"
        );
        assert_eq!(
            escape_markdown("![x](http://e/p.png)", 50),
            "\\!\\[x\\]\\(http\u{200D}://e/p.png\\)"
        );
        assert_eq!(escape_markdown("a\u{202E}b", 50), "ab");
    }

    #[test]
    fn bare_urls_cannot_become_links() {
        let out = escape_markdown(
            "see https://evil.example/a, HTTP://x.test or WWW.evil.example",
            100,
        );
        assert_eq!(
            out,
            "see https\u{200D}://evil.example/a, HTTP\u{200D}://x.test or WWW\u{200D}.evil.example"
        );
        for autolink in ["https://", "http://", "www.", "WWW."] {
            assert!(!out.contains(autolink), "{autolink} in {out}");
        }
        // Ordinary names keep their dots and colons.
        assert_eq!(
            escape_markdown("ratio 1:2 at v1.2, aww.yes", 50),
            "ratio 1:2 at v1.2, aww.yes"
        );
        assert_eq!(escape_markdown("www", 50), "www");
    }

    #[test]
    fn markdown_escaping_caps_length_before_escaping() {
        let long = "|".repeat(300);
        let out = escape_markdown(&long, 10);
        assert_eq!(out, format!("{}…", "\\|".repeat(9)));
        assert_eq!(escape_markdown("abcdef", 6), "abcdef");
        assert_eq!(escape_markdown("abc   defgh", 5), "abc…");
    }

    #[test]
    fn urls_must_be_http_and_cannot_close_a_link() {
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("not a url"), None);
        assert_eq!(
            safe_url("https://github.com/o/r/actions/runs/1").as_deref(),
            Some("https://github.com/o/r/actions/runs/1")
        );
        assert_eq!(
            safe_url("https://x.test/a)![i](https://e.test/p.png").as_deref(),
            Some("https://x.test/a%29%21%5Bi%5D%28https://e.test/p.png")
        );
    }
}
