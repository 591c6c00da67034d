//! Makes the model's text safe for a PR comment. [`clean`] turns a statement into one line
//! of plain text: no HTML, no images, no links (the analysis explains numbers; it has no
//! business sending readers anywhere), length bounded. [`to_markdown`] then escapes what
//! Markdown would interpret, keeps code spans, and stops `@` from mentioning anyone.

use regex::Regex;
use std::sync::LazyLock;

/// Longest single statement, in characters.
pub const MAX_STATEMENT_CHARS: usize = 500;

static HTML_COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<!--.*?(-->|$)").unwrap());
static HTML_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"</?[A-Za-z!?][^<>]*(>|$)").unwrap());
static IMAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").unwrap());
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)").unwrap());
static BARE_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+").unwrap());
static TOKENS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`[^`]+`|(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+").unwrap());

/// What a URL in the model's text is replaced by.
const NO_LINK: &str = "(link removed)";

/// One line of plain text with at most [`MAX_STATEMENT_CHARS`] characters: HTML comments,
/// tags and images removed, links reduced to their text, bare URLs replaced by
/// `(link removed)`, whitespace collapsed.
pub fn clean(raw: &str) -> String {
    let s = HTML_COMMENT.replace_all(raw, " ");
    let s = HTML_TAG.replace_all(&s, " ");
    let s = IMAGE.replace_all(&s, " ");
    let s = LINK.replace_all(&s, |c: &regex::Captures| c[1].trim().to_string());
    let out = BARE_URL.replace_all(&s, NO_LINK);
    let one: String = out
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    truncate(&one, MAX_STATEMENT_CHARS)
}

/// Cuts `text` to at most `max` characters at a word boundary, marking the cut with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = head
        .rfind(' ')
        .filter(|i| *i > head.len() / 2)
        .unwrap_or(head.len());
    format!("{}…", head[..cut].trim_end())
}

/// Markdown for a cleaned statement: code spans kept, URLs removed, everything else
/// escaped so that it renders as the text it is, and `@name` unable to mention.
pub fn to_markdown(clean: &str) -> String {
    let mut out = String::with_capacity(clean.len() + 16);
    let mut last = 0;
    for m in TOKENS.find_iter(clean) {
        out.push_str(&escape(&clean[last..m.start()]));
        let token = m.as_str();
        if token.starts_with('`') {
            out.push_str(&token.replace('@', "@\u{200b}"));
        } else {
            out.push_str(NO_LINK);
        }
        last = m.end();
    }
    out.push_str(&escape(&clean[last..]));
    neutralise_line_start(out)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' => {
                out.push('\\');
                out.push(ch);
            }
            '@' => out.push_str("@\u{200b}"),
            c => out.push(c),
        }
    }
    out
}

/// A statement may land at the start of a line: keep it from becoming a list item,
/// heading underline or quote.
fn neutralise_line_start(s: String) -> String {
    static START: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(\d+)([.)])(\s)|^([-+=])(\s|$)").unwrap());
    START
        .replace(&s, |c: &regex::Captures| match (c.get(1), c.get(4)) {
            (Some(n), _) => format!("{}\\{}{}", n.as_str(), &c[2], &c[3]),
            (_, Some(sym)) => format!("\\{}{}", sym.as_str(), &c[5]),
            _ => c[0].to_string(),
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_images_and_every_link_are_removed() {
        let raw = "See <img src=x onerror=alert(1)> ![pic](https://evil.example/p.png) \
                   [the PR](https://github.com/o/r/pull/7) and [docs](https://evil.example/x) \
                   <!-- hidden --> https://evil.example/y www.evil.example/z <script>alert(1)</script>";
        let c = clean(raw);
        assert_eq!(
            c,
            "See the PR and docs (link removed) (link removed) alert(1)"
        );
        assert_eq!(to_markdown(&c), c);
        // Text that skipped `clean` still loses its URLs; code spans stay as written.
        assert_eq!(
            to_markdown("at HTTPS://evil.example or www.evil.example, `https://x`"),
            "at (link removed) or (link removed) `https://x`"
        );
    }

    #[test]
    fn markdown_is_escaped_and_mentions_neutralised() {
        let md = to_markdown(&clean("@octocat | **bold** `mean_ttft_ms` #1 <b>"));
        assert_eq!(
            md,
            "@\u{200b}octocat \\| \\*\\*bold\\*\\* `mean_ttft_ms` \\#1"
        );
        assert_eq!(to_markdown("1. first"), "1\\. first");
        assert_eq!(to_markdown("- item"), "\\- item");
    }

    #[test]
    fn statements_are_bounded_at_a_word() {
        let long = "word ".repeat(200);
        let c = clean(&long);
        assert!(c.chars().count() <= MAX_STATEMENT_CHARS);
        assert!(c.ends_with("word…"), "{c}");
    }
}
