//! Checks that rendered Markdown is safe to post as a PR comment: nothing in it can
//! @-mention a user, start an HTML element other than the few the built-in templates use
//! (and the sticky comment's marker), show an image, or split a table row into the wrong
//! number of cells. Text inside a code span is literal, so only its pipes count.
//!
//! The fuzz targets and the property tests (which include this file by path) share it.

/// HTML elements the built-in templates write themselves.
const ALLOWED_TAGS: &[&str] = &["details", "summary", "sub", "br"];
/// The HTML comment that marks benchgate's sticky comment.
const MARKER: &str = "<!-- benchgate:";
/// The HTML comment on the marker's next line that names the run which wrote the comment.
const RUN_MARKER: &str = "<!-- benchgate-run:";

/// Everything unsafe in `md`, one message per finding (empty when the text is safe).
pub fn violations(md: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = md.chars().collect();
    let code = code_spans(&chars);
    let second_line = md
        .starts_with(MARKER)
        .then(|| chars.iter().position(|c| *c == '\n').map(|n| n + 1))
        .flatten()
        .filter(|at| {
            chars[*at..]
                .iter()
                .collect::<String>()
                .starts_with(RUN_MARKER)
        });
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if code[i] {
            continue;
        }
        match c {
            '@' if next.is_some_and(|n| n.is_ascii_alphanumeric()) => {
                found.push(format!("a mention at char {i}: {}", around(&chars, i)));
            }
            '<' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!') => {
                let name: String = chars[i + 1..]
                    .iter()
                    .skip_while(|c| **c == '/')
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let marker = (i == 0 && md.starts_with(MARKER)) || second_line == Some(i);
                if !marker && !ALLOWED_TAGS.contains(&name.as_str()) {
                    found.push(format!("an HTML tag at char {i}: {}", around(&chars, i)));
                }
            }
            '!' if next == Some('[') && !escaped(&chars, i) => {
                found.push(format!("an image at char {i}: {}", around(&chars, i)));
            }
            _ => {}
        }
    }
    let mut table: Option<(usize, usize)> = None;
    for (n, line) in md.lines().enumerate() {
        if !line.starts_with('|') {
            table = None;
            continue;
        }
        let cells = unescaped_pipes(line);
        match table {
            None => table = Some((n, cells)),
            Some((header, want)) if cells != want => found.push(format!(
                "line {} has {cells} cell separators, its table's header (line {}) {want}: {line}",
                n + 1,
                header + 1
            )),
            Some(_) => {}
        }
    }
    found
}

/// For each character, whether it lies inside an inline code span: a run of backticks
/// closed by a run of the same length on the same line.
fn code_spans(chars: &[char]) -> Vec<bool> {
    let mut code = vec![false; chars.len()];
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' || escaped(chars, i) {
            i += 1;
            continue;
        }
        let open = run_at(i);
        let mut j = i + open;
        let mut close = None;
        while j < chars.len() && chars[j] != '\n' {
            if chars[j] == '`' {
                let run = run_at(j);
                if run == open {
                    close = Some(j);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                code[i..j + open].iter_mut().for_each(|c| *c = true);
                i = j + open;
            }
            None => i += open,
        }
    }
    code
}

/// Pipes that delimit cells of a Markdown table row: those not escaped by an odd run of
/// backslashes (the GFM rule).
pub fn unescaped_pipes(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len())
        .filter(|&i| chars[i] == '|' && !escaped(&chars, i))
        .count()
}

/// Whether the character at `i` is preceded by an odd number of backslashes.
fn escaped(chars: &[char], i: usize) -> bool {
    chars[..i].iter().rev().take_while(|c| **c == '\\').count() % 2 == 1
}

fn around(chars: &[char], i: usize) -> String {
    let from = i.saturating_sub(20);
    let to = (i + 20).min(chars.len());
    chars[from..to].iter().collect()
}
