//! What a GitHub call can fail with, and the message for each: a 403 names the token
//! permission the call needs, a 401 points at the `github-token` input.

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The token permission a call needs, named in the error when GitHub answers 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ActionsRead,
    ContentsRead,
    ContentsWrite,
    PullRequestsRead,
    PullRequestsWrite,
    ChecksWrite,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ActionsRead => "actions: read",
            Permission::ContentsRead => "contents: read",
            Permission::ContentsWrite => "contents: write",
            Permission::PullRequestsRead => "pull-requests: read",
            Permission::PullRequestsWrite => "pull-requests: write",
            Permission::ChecksWrite => "checks: write",
        }
    }
}

/// A failed GitHub call.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("invalid GitHub API URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("{method} {path} answered HTTP {status}: {message}{hint}")]
    Status {
        method: Method,
        path: String,
        status: u16,
        message: String,
        /// What to change, e.g. the missing permission (starts with `; ` when present).
        hint: String,
    },
    #[error("{method} {path} failed: {reason}")]
    Transport {
        method: Method,
        path: String,
        reason: String,
    },
    #[error("{method} {path}: rate limited by GitHub (the limit resets in {wait_secs} s; this action waits at most {max_secs} s per call and retries a few times); re-run the job later")]
    RateLimited {
        method: Method,
        path: String,
        wait_secs: u64,
        max_secs: u64,
    },
    #[error("{path}: unexpected response: {reason}")]
    Decode { path: String, reason: String },
    #[error("{path}: refusing to follow a link to another host ({url})")]
    ForeignLink { path: String, url: String },
    #[error("writing {path}: {reason}")]
    Io { path: String, reason: String },
}

impl GithubError {
    /// The HTTP status GitHub answered, for status errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            GithubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when GitHub refused the call for lack of permission (403, not a rate limit).
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }
}

/// The error for a non-success answer; `body` is GitHub's JSON error (or any text).
pub(crate) fn status_error(
    method: Method,
    path: String,
    status: StatusCode,
    body: &str,
    permission: Permission,
) -> GithubError {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| {
            let t: String = body.trim().chars().take(200).collect();
            if t.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                t
            }
        });
    let hint = match status.as_u16() {
        403 => format!(
            "; the token needs `{}` (set `permissions:` on the job; a pull request from a fork only gets a read-only token)",
            permission.as_str()
        ),
        401 => "; the token is missing or invalid (check the `github-token` input)".to_string(),
        _ => String::new(),
    };
    GithubError::Status {
        method,
        path,
        status: status.as_u16(),
        message,
        hint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_the_permission() {
        let e = status_error(
            Method::POST,
            "/repos/a/b/issues/1/comments".into(),
            StatusCode::FORBIDDEN,
            r#"{"message":"Resource not accessible by integration"}"#,
            Permission::PullRequestsWrite,
        );
        assert!(e.is_forbidden());
        let text = e.to_string();
        assert!(
            text.contains("HTTP 403: Resource not accessible by integration"),
            "{text}"
        );
        assert!(text.contains("`pull-requests: write`"), "{text}");
    }
}
