//! The model's answer before any check: the JSON schema it is asked to follow, and the
//! parsing of what came back, either that JSON (`summary`, `findings[]` naming their
//! metrics, `recommendations[]`) or, when the server would not do structured output, plain
//! text split into the same parts (bullets and table rows become findings, a
//! "Recommendations" heading starts the recommendations, other sentences form the summary).

use serde_json::{json, Value};

/// An answer split into statements, untrusted and unchecked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub summary: Vec<String>,
    pub findings: Vec<DraftFinding>,
    pub recommendations: Vec<String>,
    /// True when the answer was plain text rather than JSON.
    pub plain: bool,
    /// The part the last statement of a plain-text answer went to.
    last: Option<Section>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftFinding {
    pub text: String,
    /// The metrics the model says the finding is about (ids or names).
    pub metrics: Vec<String>,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.summary.is_empty() && self.findings.is_empty() && self.recommendations.is_empty()
    }

    /// Removes and returns the last statement of a plain-text answer (the one an output
    /// limit cut short).
    pub fn pop_last(&mut self) -> Option<String> {
        match self.last.take()? {
            Section::Summary => self.summary.pop(),
            Section::Findings => self.findings.pop().map(|f| f.text),
            Section::Recommendations => self.recommendations.pop(),
        }
    }
}

/// The JSON schema sent as Ollama's `format` / OpenAI's `response_format`. Item counts
/// and string lengths are bounded, so that a grammar-constrained model cannot repeat
/// itself until the output limit.
pub fn schema() -> Value {
    let text = |max: usize| json!({"type": "string", "maxLength": max});
    json!({
        "type": "object",
        "properties": {
            "summary": text(300),
            "findings": {
                "type": "array",
                "maxItems": 4,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": text(240),
                        "metrics": {"type": "array", "maxItems": 3, "items": text(120)}
                    },
                    "required": ["text", "metrics"]
                }
            },
            "recommendations": {"type": "array", "maxItems": 2, "items": text(200)}
        },
        "required": ["summary", "findings", "recommendations"]
    })
}

/// The answer without a reasoning model's `<think>…</think>` (or `<thinking>…</thinking>`)
/// blocks, and whether there were any. A block left open (the output limit hit while the
/// model was still reasoning) takes the rest of the text with it.
pub fn strip_reasoning(content: &str) -> (String, bool) {
    let mut out = String::with_capacity(content.len());
    let mut rest = content;
    let mut found = false;
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some((start, tag)) = ["<think>", "<thinking>"]
            .iter()
            .filter_map(|t| lower.find(t).map(|i| (i, *t)))
            .min()
        else {
            out.push_str(rest);
            break;
        };
        found = true;
        out.push_str(&rest[..start]);
        let close = format!("</{}", &tag[1..]);
        let after = start + tag.len();
        match lower[after..].find(&close) {
            Some(end) => rest = &rest[after + end + close.len()..],
            None => break,
        }
    }
    if !found {
        // A template that opens the block in the prompt leaves only its closing tag.
        if let Some(end) = content.to_ascii_lowercase().find("</think>") {
            return (content[end + "</think>".len()..].to_string(), true);
        }
    }
    (out, found)
}

/// Reads the answer: the JSON object if there is one, else plain text. `None` when the text
/// is JSON-like but does not parse (an answer cut short), or is empty.
pub fn parse(content: &str) -> Option<Draft> {
    if let Some(v) = json_object(content) {
        return Some(from_json(&v));
    }
    let trimmed = content.trim();
    if trimmed.is_empty() || trimmed.starts_with('{') || trimmed.starts_with("```json") {
        return None;
    }
    Some(from_text(trimmed))
}

/// The first JSON object in `content`, tolerating a Markdown code fence around it.
fn json_object(content: &str) -> Option<Value> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    if end < start {
        return None;
    }
    serde_json::from_str::<Value>(&content[start..=end])
        .ok()
        .filter(Value::is_object)
}

fn from_json(v: &Value) -> Draft {
    let text_of = |item: &Value| -> Option<String> {
        match item {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("text")
                .or_else(|| o.get("recommendation"))
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    };
    let list = |key: &str| -> Vec<Value> {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let summary = match v.get("summary") {
        Some(Value::String(s)) => sentences(s),
        Some(Value::Array(items)) => items.iter().filter_map(text_of).collect(),
        _ => Vec::new(),
    };
    let findings = list("findings")
        .iter()
        .filter_map(|item| {
            let text = text_of(item)?;
            let metrics = item
                .get("metrics")
                .and_then(Value::as_array)
                .map(|m| {
                    m.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            Some(DraftFinding { text, metrics })
        })
        .collect();
    let recommendations = list("recommendations").iter().filter_map(text_of).collect();
    Draft {
        summary,
        findings,
        recommendations,
        plain: false,
        last: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Summary,
    Findings,
    Recommendations,
}

fn from_text(text: &str) -> Draft {
    let mut draft = Draft {
        plain: true,
        ..Draft::default()
    };
    let mut section = Section::Summary;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("```") {
            continue;
        }
        if let Some(next) = heading(line) {
            section = next;
            continue;
        }
        if line.starts_with('|') && !line.chars().any(|c| c.is_ascii_digit()) {
            // A table's header or separator row says nothing; its data rows are checked.
            continue;
        }
        let item = list_item(line).or_else(|| line.starts_with('|').then_some(line));
        draft.last = Some(match (item, section) {
            (Some(_), Section::Summary) => Section::Findings,
            _ => section,
        });
        match (item, section) {
            (Some(item), Section::Recommendations) => draft.recommendations.push(item.into()),
            (Some(item), _) => draft.findings.push(DraftFinding {
                text: item.into(),
                metrics: Vec::new(),
            }),
            (None, Section::Summary) => draft.summary.extend(sentences(line)),
            (None, Section::Findings) => {
                draft
                    .findings
                    .extend(sentences(line).into_iter().map(|text| DraftFinding {
                        text,
                        metrics: Vec::new(),
                    }))
            }
            (None, Section::Recommendations) => draft.recommendations.extend(sentences(line)),
        }
    }
    draft
}

/// A heading line (`## Findings`, `**Recommendations:**`, `Summary:`) and its section.
fn heading(line: &str) -> Option<Section> {
    let bare = line
        .trim_start_matches('#')
        .trim()
        .trim_matches('*')
        .trim()
        .trim_end_matches(':')
        .trim_matches('*')
        .trim()
        .to_lowercase();
    let is_heading = line.starts_with('#') || line.ends_with(':') || line.starts_with("**");
    if !is_heading || bare.split_whitespace().count() > 3 {
        return None;
    }
    if bare.contains("recommend") || bare.contains("next step") {
        Some(Section::Recommendations)
    } else if bare.contains("finding") || bare.contains("detail") {
        Some(Section::Findings)
    } else if bare.contains("summary") || bare.contains("overview") {
        Some(Section::Summary)
    } else {
        None
    }
}

/// The text of a list item without its marker (`-`, `*`, `•`, `1.`, `2)`).
fn list_item(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "• ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest.trim());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 2 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest.trim());
        }
    }
    None
}

/// Splits prose into sentences at `.`, `!` or `?` followed by a space (so `12.4` stays whole).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let next_is_space = chars.get(i + 1).is_some_and(|(_, n)| n.is_whitespace());
        if matches!(c, '.' | '!' | '?') && next_is_space {
            let end = pos + c.len_utf8();
            out.push(text[start..end].trim().to_string());
            start = end;
        }
    }
    out.push(text[start..].trim().to_string());
    out.retain(|s| !s.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_inside_a_fence_is_read() {
        let d = parse(
            "```json\n{\"summary\": \"Throughput fell. TTFT rose.\", \"findings\": [{\"text\": \"a\", \"metrics\": [\"M1\"]}, \"b\"], \"recommendations\": [\"c\"]}\n```",
        )
        .unwrap();
        assert_eq!(d.summary, vec!["Throughput fell.", "TTFT rose."]);
        assert_eq!(d.findings[0].metrics, vec!["M1"]);
        assert_eq!(d.findings[1].text, "b");
        assert_eq!(d.recommendations, vec!["c"]);
    }

    #[test]
    fn reasoning_is_not_part_of_the_answer() {
        let (a, r) = strip_reasoning("<think>M1 fell 99 %?</think>\n{\"summary\": \"x\"}");
        assert_eq!((a.trim(), r), ("{\"summary\": \"x\"}", true));
        let (a, r) = strip_reasoning("<THINKING>a</THINKING>b<think>c");
        assert_eq!((a.as_str(), r), ("b", true));
        let (a, r) = strip_reasoning("hidden</think>shown");
        assert_eq!((a.as_str(), r), ("shown", true));
        assert_eq!(strip_reasoning("plain"), ("plain".to_string(), false));
    }

    #[test]
    fn cut_json_is_not_an_answer() {
        assert_eq!(parse("{\"summary\": \"Throughput fell by 12"), None);
        assert_eq!(parse("  "), None);
    }

    #[test]
    fn plain_text_sections() {
        let d = parse(
            "Throughput fell 12.4 % on M1. The verdict is fail.\n\n## Findings\n1. M1 regressed.\n- M2 improved.\n\n**Recommendations:**\n- Re-run M1.\n",
        )
        .unwrap();
        assert_eq!(
            d.summary,
            vec!["Throughput fell 12.4 % on M1.", "The verdict is fail."]
        );
        assert_eq!(d.findings.len(), 2);
        assert_eq!(d.findings[0].text, "M1 regressed.");
        assert_eq!(d.recommendations, vec!["Re-run M1."]);
    }

    #[test]
    fn plain_text_table_rows_are_findings() {
        let d = parse("| Metric | Value |\n|---|---|\n| GPU fan speed | 72-98 RPM |\n").unwrap();
        assert!(d.summary.is_empty());
        assert_eq!(d.findings.len(), 1);
        assert_eq!(d.findings[0].text, "| GPU fan speed | 72-98 RPM |");
    }
}
