//! The sticky PR comment: one comment per configuration, found across every page of the
//! conversation by a hidden marker at the start of its body and by its author, the identity
//! behind the token (resolved through GraphQL's `viewer`, never guessed from a name or a
//! `Bot` type). It is edited in place (`PATCH`), created at most once even when a `POST`
//! fails ambiguously, and duplicates left by two steps racing to create it are deleted. A
//! second hidden line stamps the run that wrote it, so a step never overwrites what another
//! step of the same run wrote under the same key (two matrix legs without a `title`).

use super::client::Client;
use super::error::{GithubError, Permission};
use super::files::truncate_bytes;
use crate::context::{CommentMode, Repo};
use serde::Deserialize;
use serde_json::json;

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
}

impl From<RawComment> for Comment {
    fn from(c: RawComment) -> Self {
        Comment {
            id: c.id,
            body: c.body.unwrap_or_default(),
            author: c.user.map(|u| u.login).unwrap_or_default(),
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

/// The hidden line that says which run wrote a comment (`stamp`: run id and attempt).
pub fn stamp_line(stamp: &str) -> String {
    let clean: String = stamp
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._:/@+ -".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    format!("<!-- benchgate-run: {} -->", clean.replace("--", "-"))
}

/// The comment body: the marker on the first line, the run's stamp line (when there is one),
/// then `markdown`, cut below GitHub's limit with a note when it is too long.
pub fn body_with_marker(marker: &str, stamp: Option<&str>, markdown: &str) -> String {
    let head = match stamp {
        Some(s) => format!("{marker}\n{}", stamp_line(s)),
        None => marker.to_string(),
    };
    let body = format!("{head}\n{}", markdown.trim_end());
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

/// Whether `body` starts with `marker` (a comment merely quoting it is not one of ours).
fn carries(body: &str, marker: &str) -> bool {
    body.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n"))
}

/// What the sticky comment needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Create,
    Update(u64),
    /// The existing comment already says this.
    Unchanged(u64),
    /// Another step of this same run wrote the comment under this key: left as it is.
    Taken(u64),
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
    stamp: Option<&str>,
    noteworthy: bool,
) -> Decision {
    let taken =
        |c: &Comment| stamp.is_some_and(|s| c.body.lines().nth(1) == Some(stamp_line(s).as_str()));
    match (mode, existing) {
        (CommentMode::Off, _) => Decision::Skip("the `comment` input is `off`"),
        (_, Some(c)) if c.body == body => Decision::Unchanged(c.id),
        (_, Some(c)) if taken(c) => Decision::Taken(c.id),
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
    /// Another step of this run already wrote the comment under this key.
    Taken,
    Skipped(&'static str),
}

/// The sticky comment of one pull request.
pub struct Sticky<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    pub issue: u64,
    pub marker: &'a str,
    /// The writing run (`9001.1`: run id and attempt), stamped into the body.
    pub stamp: Option<&'a str>,
}

impl Sticky<'_> {
    /// Writes `markdown` as the sticky comment according to `mode`.
    pub async fn publish(
        &self,
        markdown: &str,
        mode: CommentMode,
        noteworthy: bool,
    ) -> Result<Outcome, GithubError> {
        let body = body_with_marker(self.marker, self.stamp, markdown);
        if mode == CommentMode::Off {
            return Ok(Outcome {
                action: Action::Skipped("the `comment` input is `off`"),
                url: None,
            });
        }
        let mut identity = None;
        let ours = self.find(&mut identity).await?;
        // Two steps that raced to create the comment left several: keep the newest.
        for extra in ours.iter().skip(1) {
            self.remove(extra.id).await;
        }
        let existing = ours.into_iter().next();
        match decide(mode, existing.as_ref(), &body, self.stamp, noteworthy) {
            Decision::Skip(reason) => Ok(Outcome {
                action: Action::Skipped(reason),
                url: None,
            }),
            Decision::Unchanged(_) => Ok(Outcome {
                action: Action::Unchanged,
                url: existing.and_then(|c| c.html_url),
            }),
            Decision::Taken(_) => Ok(Outcome {
                action: Action::Taken,
                url: existing.and_then(|c| c.html_url),
            }),
            Decision::Update(id) => self.update(id, &body).await,
            Decision::Create => match self.create(&body).await {
                Ok(outcome) => Ok(outcome),
                Err(e) if ambiguous(&e) => {
                    // The POST may have gone through: look for it before trying again.
                    tracing::warn!("creating the comment failed ({e}); checking whether it exists");
                    match self.find(&mut identity).await?.into_iter().next() {
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

    /// The comments that are ours, newest first: the marker starts the body and the author
    /// is the identity behind the token. The identity is resolved once, and only when some
    /// comment carries the marker.
    async fn find(&self, identity: &mut Option<String>) -> Result<Vec<Comment>, GithubError> {
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
            .filter(|c| carries(&c.body, self.marker))
            .collect();
        if candidates.is_empty() {
            return Ok(candidates);
        }
        if identity.is_none() {
            *identity = Some(self.identity().await);
        }
        let login = identity.as_deref().unwrap_or(ACTIONS_BOT);
        candidates.retain(|c| c.author == login);
        candidates.sort_by_key(|c| std::cmp::Reverse(c.id));
        Ok(candidates)
    }

    /// The login the token writes as. When GraphQL cannot tell (a proxy that serves only
    /// REST), the comments of `github-actions[bot]`, the identity of the workflow's own
    /// `GITHUB_TOKEN`, are taken as ours, and the log says so.
    async fn identity(&self) -> String {
        match self.client.viewer_login().await {
            Ok(login) => login,
            Err(e) => {
                tracing::warn!(
                    "cannot tell which identity the token writes as ({e}); taking comments by {ACTIONS_BOT} as ours"
                );
                ACTIONS_BOT.to_string()
            }
        }
    }

    /// Deletes a duplicate; a failure only leaves it in place, so it is logged.
    async fn remove(&self, id: u64) {
        let route = format!(
            "/repos/{}/{}/issues/comments/{id}",
            self.repo.owner, self.repo.name
        );
        if let Err(e) = self
            .client
            .delete(&route, Permission::PullRequestsWrite)
            .await
        {
            tracing::warn!("could not delete the duplicate comment {id}: {e}");
        }
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
            assert_eq!(
                decide(mode, Some(&old), "new", None, false),
                Decision::Update(7)
            );
            assert_eq!(
                decide(mode, Some(&old), "old", None, true),
                Decision::Unchanged(7)
            );
        }
        assert!(matches!(
            decide(CommentMode::Off, Some(&old), "new", None, true),
            Decision::Skip(_)
        ));
    }

    #[test]
    fn new_comments_follow_the_mode() {
        assert_eq!(
            decide(CommentMode::Always, None, "b", None, false),
            Decision::Create
        );
        assert_eq!(
            decide(CommentMode::OnChange, None, "b", None, true),
            Decision::Create
        );
        assert_eq!(
            decide(CommentMode::OnRegression, None, "b", None, false),
            Decision::Skip("no regression (`comment: on-regression`)")
        );
    }

    #[test]
    fn bodies_stay_under_the_limit() {
        let m = marker("x");
        let body = body_with_marker(&m, Some("9001.1"), &"é".repeat(80_000));
        assert!(body.chars().count() < MAX_BODY_CHARS);
        assert!(body.starts_with(&m));
        assert!(body.ends_with("has all of it._"));
        assert_eq!(body_with_marker(&m, None, "hi\n\n"), format!("{m}\nhi"));
        assert_eq!(
            body_with_marker(&m, Some("9001.1"), "hi"),
            format!("{m}\n<!-- benchgate-run: 9001.1 -->\nhi")
        );
    }

    #[test]
    fn a_comment_of_this_run_is_not_overwritten_by_another_step() {
        let m = marker("k");
        let mine = body_with_marker(&m, Some("9001.1"), "leg 1");
        let other_leg = body_with_marker(&m, Some("9001.1"), "leg 2");
        let next_run = body_with_marker(&m, Some("9002.1"), "leg 1 again");
        let c = comment(3, &mine);
        assert_eq!(
            decide(
                CommentMode::Always,
                Some(&c),
                &other_leg,
                Some("9001.1"),
                true
            ),
            Decision::Taken(3)
        );
        assert_eq!(
            decide(
                CommentMode::Always,
                Some(&c),
                &next_run,
                Some("9002.1"),
                true
            ),
            Decision::Update(3)
        );
        // A re-run of the step (same body) is simply up to date.
        assert_eq!(
            decide(CommentMode::Always, Some(&c), &mine, Some("9001.1"), true),
            Decision::Unchanged(3)
        );
    }

    #[test]
    fn only_a_marker_at_the_start_counts() {
        let m = marker("k");
        assert!(carries(&format!("{m}\nbody"), &m));
        assert!(carries(&m, &m));
        assert!(!carries(&format!("> {m}\nquoted"), &m));
        assert!(!carries(&format!("{m}x\nlonger key"), &m));
    }
}
