//! The render stage: turns a [`Report`] into Markdown through minijinja templates (the PR
//! comment and the job summary), embedded in the binary and overridable by path. Output is
//! kept under a size budget by re-rendering with fewer rows (see [`budget`]), never by
//! cutting text.

mod budget;
pub mod filters;

use crate::report::{Omitted, Report};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use std::path::{Path, PathBuf};

/// Budget of the PR comment in bytes. GitHub rejects bodies over 65,536 characters; bytes
/// are never fewer than characters, and the rest is left for the marker line and headroom.
pub const COMMENT_BUDGET: usize = 60_000;
/// Budget of the job summary in bytes (GitHub's step summary limit is 1 MiB).
pub const SUMMARY_BUDGET: usize = 1_000_000;

/// Names of the built-in templates. They stay registered when overrides are given, so a
/// custom template can `{% extends "comment.md.j2" %}` or `{% import "macros.md.j2" %}`.
pub const MACROS_NAME: &str = "macros.md.j2";
pub const COMMENT_NAME: &str = "comment.md.j2";
pub const SUMMARY_NAME: &str = "summary.md.j2";

const MACROS_SOURCE: &str = include_str!("../../templates/macros.md.j2");
const COMMENT_SOURCE: &str = include_str!("../../templates/comment.md.j2");
const SUMMARY_SOURCE: &str = include_str!("../../templates/summary.md.j2");

/// Paths of user templates that replace the built-in ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplatePaths {
    pub comment: Option<PathBuf>,
    pub summary: Option<PathBuf>,
}

/// A rendered document and the rows left out to fit its budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub markdown: String,
    pub omitted: Omitted,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot read the template {}: {source}; check the path", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the template {name} is invalid: {detail}")]
    Compile {
        name: String,
        detail: String,
        custom: bool,
    },
    #[error("the template {name} failed to render: {detail}")]
    Render {
        name: String,
        detail: String,
        custom: bool,
    },
    #[error(
        "the template {name} renders {size} bytes even without metric rows, over its {budget}-byte limit; shorten the template"
    )]
    TooLong {
        name: String,
        size: usize,
        budget: usize,
        custom: bool,
    },
}

impl RenderError {
    /// True when the user can fix the problem (their template file), false for a fault in
    /// a built-in template.
    pub fn is_user_error(&self) -> bool {
        match self {
            RenderError::Read { .. } => true,
            RenderError::Compile { custom, .. }
            | RenderError::Render { custom, .. }
            | RenderError::TooLong { custom, .. } => *custom,
        }
    }
}

/// One template the renderer can produce, by its registered name.
#[derive(Debug, Clone)]
struct Slot {
    name: String,
    custom: bool,
}

/// A template environment with the comment and summary templates loaded.
pub struct Renderer {
    env: Environment<'static>,
    comment: Slot,
    summary: Slot,
}

impl Renderer {
    /// Builds the environment, loading any override templates from disk. Every template is
    /// compiled here, so a syntax error surfaces before any work is rendered.
    pub fn new(paths: &TemplatePaths) -> Result<Renderer, RenderError> {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| compile_error(MACROS_NAME, &e, false))?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        filters::register(&mut env);
        for (name, source) in [
            (MACROS_NAME, MACROS_SOURCE),
            (COMMENT_NAME, COMMENT_SOURCE),
            (SUMMARY_NAME, SUMMARY_SOURCE),
        ] {
            env.add_template(name, source)
                .map_err(|e| compile_error(name, &e, false))?;
        }
        let comment = load(&mut env, COMMENT_NAME, paths.comment.as_deref())?;
        let summary = load(&mut env, SUMMARY_NAME, paths.summary.as_deref())?;
        Ok(Renderer {
            env,
            comment,
            summary,
        })
    }

    /// The PR comment, within [`COMMENT_BUDGET`].
    pub fn comment(&self, report: &Report) -> Result<Rendered, RenderError> {
        self.render_slot(&self.comment, report, COMMENT_BUDGET)
    }

    /// The job summary, within [`SUMMARY_BUDGET`].
    pub fn summary(&self, report: &Report) -> Result<Rendered, RenderError> {
        self.render_slot(&self.summary, report, SUMMARY_BUDGET)
    }

    /// The PR comment within an explicit byte budget.
    pub fn comment_within(&self, report: &Report, budget: usize) -> Result<Rendered, RenderError> {
        self.render_slot(&self.comment, report, budget)
    }

    fn render_slot(
        &self,
        slot: &Slot,
        report: &Report,
        budget: usize,
    ) -> Result<Rendered, RenderError> {
        let template = self
            .env
            .get_template(&slot.name)
            .map_err(|e| compile_error(&slot.name, &e, slot.custom))?;
        let render = |ctx: &Report| {
            template
                .render(Value::from(Serde(ctx)))
                .map_err(|e| RenderError::Render {
                    name: slot.name.clone(),
                    detail: describe(&e),
                    custom: slot.custom,
                })
        };
        match budget::fit(report, budget, render)? {
            budget::Fit::Within(rendered) => Ok(rendered),
            budget::Fit::Over { size } => Err(RenderError::TooLong {
                name: slot.name.clone(),
                size,
                budget,
                custom: slot.custom,
            }),
        }
    }
}

/// Registers an override template under its path (so errors name the file) and returns
/// the slot to render; without an override the built-in `builtin_name` is used. Built-ins
/// stay registered either way, so an override can extend or import them.
fn load(
    env: &mut Environment<'static>,
    builtin_name: &str,
    path: Option<&Path>,
) -> Result<Slot, RenderError> {
    let Some(path) = path else {
        return Ok(Slot {
            name: builtin_name.to_string(),
            custom: false,
        });
    };
    let source = std::fs::read_to_string(path).map_err(|source| RenderError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    env.add_template_owned(name.clone(), source)
        .map_err(|e| compile_error(&name, &e, true))?;
    Ok(Slot { name, custom: true })
}

fn compile_error(name: &str, e: &minijinja::Error, custom: bool) -> RenderError {
    RenderError::Compile {
        name: name.to_string(),
        detail: describe(e),
        custom,
    }
}

/// A minijinja error with its causes (a filter's message is often the cause).
fn describe(e: &minijinja::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
