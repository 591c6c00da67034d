//! A subcommand's failure: the error to print and the exit code it maps to.

use super::exit;
use crate::baseline::BaselineError;
use crate::render::RenderError;

/// An error and the exit code it maps to.
pub(crate) struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// A mistake the user can fix (exit 2); the message says what to change.
    pub fn usage(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: exit::USAGE,
            error: error.into(),
        }
    }

    /// A failure of the machine or of benchgate itself (exit 3).
    pub fn internal(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: exit::INTERNAL,
            error: error.into(),
        }
    }

    /// [`Failure::usage`] when `usage`, else [`Failure::internal`].
    pub fn classify(usage: bool, error: impl Into<anyhow::Error>) -> Failure {
        if usage {
            Failure::usage(error)
        } else {
            Failure::internal(error)
        }
    }
}

/// A missing permission, a bad path or ref is the user's to fix; I/O trouble is not.
impl From<BaselineError> for Failure {
    fn from(e: BaselineError) -> Failure {
        Failure::classify(e.is_usage(), e)
    }
}

/// A template the user gave is their error; a fault in a built-in one is ours.
impl From<RenderError> for Failure {
    fn from(e: RenderError) -> Failure {
        Failure::classify(e.is_user_error(), e)
    }
}

/// The error and its causes on one line, `outer: cause: cause`, leaving out a cause whose
/// text the line already ends with (an error that prints its source as part of its own
/// message would otherwise name it twice).
pub(crate) fn describe(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::describe;
    use std::io;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read x.yml: {source}")]
    struct Read {
        #[source]
        source: io::Error,
    }

    #[test]
    fn a_cause_already_in_the_message_is_named_once() {
        let e = anyhow::Error::new(Read {
            source: io::Error::new(io::ErrorKind::NotFound, "no such file"),
        })
        .context("fix the policy file");
        assert_eq!(
            describe(&e),
            "fix the policy file: cannot read x.yml: no such file"
        );
    }

    #[test]
    fn distinct_causes_are_all_named() {
        let e = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(describe(&e), "outer: middle: inner");
    }
}
