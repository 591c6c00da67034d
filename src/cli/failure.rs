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
