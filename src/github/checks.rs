//! Check runs: one completed check on the head commit whose conclusion follows the verdict.

use super::client::Client;
use super::error::{GithubError, Permission};
use super::files::truncate_bytes;
use crate::context::Repo;
use serde::Deserialize;
use serde_json::json;

/// GitHub rejects a check-run `output.summary` longer than this many characters.
pub const MAX_SUMMARY_CHARS: usize = 65_535;

/// A check run to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRun<'a> {
    pub name: &'a str,
    pub head_sha: &'a str,
    /// `success`, `neutral` or `failure`.
    pub conclusion: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub details_url: Option<&'a str>,
}

/// The created check run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Created {
    #[serde(default)]
    pub html_url: Option<String>,
}

/// Creates a completed check run (needs `checks: write`).
pub async fn create(
    client: &Client,
    repo: &Repo,
    check: &CheckRun<'_>,
) -> Result<Created, GithubError> {
    let mut body = json!({
        "name": check.name,
        "head_sha": check.head_sha,
        "status": "completed",
        "conclusion": check.conclusion,
        "output": {
            "title": truncate_chars(check.title, 255),
            "summary": fit_summary(check.summary),
        },
    });
    if let Some(url) = check.details_url {
        body["details_url"] = json!(url);
    }
    let route = format!("/repos/{}/{}/check-runs", repo.owner, repo.name);
    client.post(&route, &body, Permission::ChecksWrite).await
}

/// `summary` cut to the check-run limit with a note.
pub fn fit_summary(summary: &str) -> String {
    if summary.chars().count() <= MAX_SUMMARY_CHARS {
        return summary.to_string();
    }
    let note = "\n\n_Cut to the check-run size limit; the job summary has the full report._";
    let keep = MAX_SUMMARY_CHARS - note.chars().count();
    format!("{}{note}", truncate_chars(summary, keep))
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((i, _)) => truncate_bytes(text, i),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_summaries_are_cut_to_the_limit() {
        let long = "ü".repeat(70_000);
        let fitted = fit_summary(&long);
        assert_eq!(fitted.chars().count(), MAX_SUMMARY_CHARS);
        assert!(fitted.ends_with("full report._"));
        assert_eq!(fit_summary("short"), "short");
    }
}
