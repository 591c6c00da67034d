//! The sticky PR comment: one comment per configuration, found by a hidden marker and a
//! bot author across every page of the conversation, edited in place (`PATCH`) and created
//! at most once, even when a `POST` fails ambiguously.

use super::client::Client;
use super::error::{GithubError, Permission};
use super::files::truncate_bytes;
use crate::context::{CommentMode, Repo};
use serde::Deserialize;
use serde_json::{json, Value};

/// GitHub rejects a comment body longer than this many characters.
pub const MAX_BODY_CHARS: usize = 65_536;

/// The login of comments written with the workflow's `GITHUB_TOKEN`.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// An issue comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub author: String,
    pub author_is_bot: bool,
    pub html_url: Option<String>,
}

#[derive(Deserialize)]
struct RawComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    user: Option<RawUser>,
    #[serde(default)]
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct RawUser {
    #[serde(default)]
    login: String,
    #[serde(default, rename = "type")]
    kind: String,
}

impl From<RawComment> for Comment {
    fn from(c: RawComment) -> Self {
        let (author, kind) = c.user.map(|u| (u.login, u.kind)).unwrap_or_default();
        Comment {
            id: c.id,
            body: c.body.unwrap_or_default(),
            author_is_bot: kind == "Bot" || author == ACTIONS_BOT,
            author,
            html_url: c.html_url,
        }
    }
}

/// The hidden marker that identifies the comment of configuration `id`.
pub fn marker(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._:/@+-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    format!("<!-- benchgate:{clean} -->")
}

/// The comment body: the marker on the first line, then `markdown`, cut below GitHub's
/// limit with a note when it is too long.
pub fn body_with_marker(marker: &str, markdown: &str) -> String {
    let body = format!("{marker}\n{}", markdown.trim_end());
    if body.chars().count() < MAX_BODY_CHARS {
        return body;
    }
    let note = "\n\n_The report was cut to fit GitHub's comment size limit; the job summary has all of it._";
    let keep = MAX_BODY_CHARS - 1 - note.chars().count();
    let end = body
        .char_indices()
        .nth(keep)
        .map(|(i, _)| i)
        .unwrap_or(body.len());
    format!("{}{note}", truncate_bytes(&body, end))
}

/// What the sticky comment needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Create,
    Update(u64),
    /// The existing comment already says this.
    Unchanged(u64),
    /// No comment, for the reason given.
    Skip(&'static str),
}

/// Decides what to do. An existing comment is always kept current (so a resolved
/// regression is edited, never left as a stale alarm); a new one is created when the mode
/// asks for it (`noteworthy`: for `on-change`, some metric changed; for `on-regression`,
/// the verdict is warn or fail).
pub fn decide(
    mode: CommentMode,
    existing: Option<&Comment>,
    body: &str,
    noteworthy: bool,
) -> Decision {
    match (mode, existing) {
        (CommentMode::Off, _) => Decision::Skip("the `comment` input is `off`"),
        (_, Some(c)) if c.body == body => Decision::Unchanged(c.id),
        (_, Some(c)) => Decision::Update(c.id),
        (CommentMode::Always, None) => Decision::Create,
        (CommentMode::OnChange, None) if noteworthy => Decision::Create,
        (CommentMode::OnChange, None) => Decision::Skip("no metric changed (`comment: on-change`)"),
        (CommentMode::OnRegression, None) if noteworthy => Decision::Create,
        (CommentMode::OnRegression, None) => {
            Decision::Skip("no regression (`comment: on-regression`)")
        }
    }
}

/// What happened to the sticky comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub action: Action,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    Skipped(&'static str),
}

/// The sticky comment of one pull request.
pub struct Sticky<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    pub issue: u64,
    pub marker: &'a str,
}

impl Sticky<'_> {
    /// Writes `markdown` as the sticky comment according to `mode`.
    pub async fn publish(
        &self,
        markdown: &str,
        mode: CommentMode,
        noteworthy: bool,
    ) -> Result<Outcome, GithubError> {
        let body = body_with_marker(self.marker, markdown);
        let mut viewer = None;
        let existing = self.find(&mut viewer).await?;
        match decide(mode, existing.as_ref(), &body, noteworthy) {
            Decision::Skip(reason) => Ok(Outcome {
                action: Action::Skipped(reason),
                url: None,
            }),
            Decision::Unchanged(_) => Ok(Outcome {
                action: Action::Unchanged,
                url: existing.and_then(|c| c.html_url),
            }),
            Decision::Update(id) => self.update(id, &body).await,
            Decision::Create => match self.create(&body).await {
                Ok(outcome) => Ok(outcome),
                Err(e) if ambiguous(&e) => {
                    // The POST may have gone through: look for it before trying again.
                    tracing::warn!("creating the comment failed ({e}); checking whether it exists");
                    match self.find(&mut viewer).await? {
                        Some(c) if c.body == body => Ok(Outcome {
                            action: Action::Created,
                            url: c.html_url,
                        }),
                        Some(c) => self.update(c.id, &body).await,
                        None => self.create(&body).await,
                    }
                }
                Err(e) => Err(e),
            },
        }
    }

    /// The newest comment carrying the marker and written by a bot or by the token's user.
    async fn find(
        &self,
        viewer: &mut Option<Option<String>>,
    ) -> Result<Option<Comment>, GithubError> {
        let route = format!(
            "/repos/{}/{}/issues/{}/comments",
            self.repo.owner, self.repo.name, self.issue
        );
        let items = self
            .client
            .list(&route, &[], None, 100, Permission::PullRequestsRead)
            .await?;
        let mut candidates: Vec<Comment> = items
            .into_iter()
            .filter_map(|v| serde_json::from_value::<RawComment>(v).ok())
            .map(Comment::from)
            .filter(|c| c.body.contains(self.marker))
            .collect();
        candidates.sort_by_key(|c| std::cmp::Reverse(c.id));
        if let Some(c) = candidates.iter().find(|c| c.author_is_bot) {
            return Ok(Some(c.clone()));
        }
        if candidates.is_empty() {
            return Ok(None);
        }
        // A personal token writes as its user: match that login, never anyone quoting us.
        if viewer.is_none() {
            *viewer = Some(self.viewer_login().await);
        }
        let login = viewer.clone().flatten();
        Ok(candidates
            .into_iter()
            .find(|c| login.as_deref() == Some(c.author.as_str())))
    }

    async fn viewer_login(&self) -> Option<String> {
        // Installation tokens cannot read `/user`; then only bot comments match.
        let user: Value = self
            .client
            .get("/user", &[], Permission::PullRequestsRead)
            .await
            .ok()?;
        user.get("login").and_then(Value::as_str).map(String::from)
    }

    async fn create(&self, body: &str) -> Result<Outcome, GithubError> {
        let route = format!(
            "/repos/{}/{}/issues/{}/comments",
            self.repo.owner, self.repo.name, self.issue
        );
        let created: RawComment = self
            .client
            .post(
                &route,
                &json!({ "body": body }),
                Permission::PullRequestsWrite,
            )
            .await?;
        Ok(Outcome {
            action: Action::Created,
            url: created.html_url,
        })
    }

    async fn update(&self, id: u64, body: &str) -> Result<Outcome, GithubError> {
        let route = format!(
            "/repos/{}/{}/issues/comments/{id}",
            self.repo.owner, self.repo.name
        );
        let updated: RawComment = self
            .client
            .patch(
                &route,
                &json!({ "body": body }),
                Permission::PullRequestsWrite,
            )
            .await?;
        Ok(Outcome {
            action: Action::Updated,
            url: updated.html_url,
        })
    }
}

/// A failure after which the comment may or may not exist (no answer, or a 5xx).
fn ambiguous(e: &GithubError) -> bool {
    match e {
        GithubError::Transport { .. } => true,
        GithubError::Status { status, .. } => *status >= 500,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, body: &str) -> Comment {
        Comment {
            id,
            body: body.into(),
            author: ACTIONS_BOT.into(),
            author_is_bot: true,
            html_url: None,
        }
    }

    #[test]
    fn marker_is_sanitised() {
        assert_eq!(
            marker("bench.yml:perf"),
            "<!-- benchgate:bench.yml:perf -->"
        );
        // Nothing can close the HTML comment early.
        assert_eq!(marker("x --> <img>"), "<!-- benchgate:x------img- -->");
    }

    #[test]
    fn existing_comments_are_kept_current_in_every_mode() {
        let old = comment(7, "old");
        for mode in [
            CommentMode::Always,
            CommentMode::OnChange,
            CommentMode::OnRegression,
        ] {
            assert_eq!(decide(mode, Some(&old), "new", false), Decision::Update(7));
            assert_eq!(
                decide(mode, Some(&old), "old", true),
                Decision::Unchanged(7)
            );
        }
        assert!(matches!(
            decide(CommentMode::Off, Some(&old), "new", true),
            Decision::Skip(_)
        ));
    }

    #[test]
    fn new_comments_follow_the_mode() {
        assert_eq!(
            decide(CommentMode::Always, None, "b", false),
            Decision::Create
        );
        assert_eq!(
            decide(CommentMode::OnChange, None, "b", true),
            Decision::Create
        );
        assert_eq!(
            decide(CommentMode::OnRegression, None, "b", false),
            Decision::Skip("no regression (`comment: on-regression`)")
        );
    }

    #[test]
    fn bodies_stay_under_the_limit() {
        let m = marker("x");
        let body = body_with_marker(&m, &"é".repeat(80_000));
        assert!(body.chars().count() < MAX_BODY_CHARS);
        assert!(body.starts_with(&m));
        assert!(body.ends_with("has all of it._"));
        assert_eq!(body_with_marker(&m, "hi\n\n"), format!("{m}\nhi"));
    }
}
