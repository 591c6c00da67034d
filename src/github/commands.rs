//! Workflow commands (`::error::`, `::warning::`, `::notice::`, `::group::`,
//! `::add-mask::`): the lines the runner reads from a step's output, with the escaping the
//! Actions toolkit applies so that untrusted text cannot inject further commands.

/// Escapes a command message: `%`, `\r`, `\n`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: like [`escape_data`], plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command line: `::name key=value,key=value::message`.
pub fn command(name: &str, properties: &[(&str, &str)], message: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    if props.is_empty() {
        format!("::{name}::{}", escape_data(message))
    } else {
        format!("::{name} {}::{}", props.join(","), escape_data(message))
    }
}

/// An annotation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Notice,
    Warning,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// An annotation with an optional title.
pub fn annotation(level: Level, title: &str, message: &str) -> String {
    command(level.name(), &[("title", title)], message)
}

/// `text` as one plain log line: line breaks and other control characters become spaces,
/// so untrusted text (file names, parser messages, server answers) cannot start a
/// workflow command on a line of its own.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Asks the runner to mask `secret` in all later output.
pub fn add_mask(secret: &str) -> String {
    format!("::add-mask::{}", escape_data(secret))
}

/// Opens a collapsible group in the log.
pub fn group(title: &str) -> String {
    format!("::group::{}", escape_data(title))
}

/// Closes the group opened by [`group`].
pub fn end_group() -> &'static str {
    "::endgroup::"
}

/// Actions shows at most this many annotations of one level per step.
pub const MAX_ANNOTATIONS_PER_LEVEL: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        let line = annotation(
            Level::Error,
            "bench: tokens/s, gemma",
            "dropped 12%\n::error::injected\r",
        );
        assert_eq!(
            line,
            "::error title=bench%3A tokens/s%2C gemma::dropped 12%25%0A::error::injected%0D"
        );
        assert_eq!(
            command("notice", &[("title", "")], "a:b,c"),
            "::notice::a:b,c"
        );
    }

    #[test]
    fn plain_lines_cannot_start_a_command() {
        assert_eq!(plain("bad\n::error::x\r\u{1b}[31m"), "bad ::error::x  [31m");
    }

    #[test]
    fn mask_and_groups() {
        assert_eq!(add_mask("ghs_x%y"), "::add-mask::ghs_x%25y");
        assert_eq!(group("Baseline\nrun"), "::group::Baseline%0Arun");
        assert_eq!(end_group(), "::endgroup::");
    }
}
