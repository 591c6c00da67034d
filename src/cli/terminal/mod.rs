//! Output for a person: tables that fit the terminal (comfy-table), colour only on a
//! terminal and never under `NO_COLOR`, a progress bar on standard error, and text from the
//! benchmark files made safe to print. Pipes and files get the same content as plain,
//! aligned text.

pub mod progress;
pub mod report;

use comfy_table::{presets, Attribute, Cell, CellAlignment, Color, ContentArrangement};

pub use comfy_table::Table;

/// How output is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Columns available; `None`: tables are as wide as their content.
    pub width: Option<u16>,
    /// ANSI colours and bold text.
    pub colour: bool,
    /// Box-drawn tables (a terminal) rather than plain aligned columns (a pipe or a file).
    pub boxed: bool,
}

impl Style {
    /// Plain aligned text, for a pipe or a file.
    pub const PLAIN: Style = Style {
        width: None,
        colour: false,
        boxed: false,
    };

    /// The style of standard output when it is a terminal: its width, and colour unless
    /// `NO_COLOR` is set or the terminal is dumb. `None` when it is not a terminal.
    pub fn stdout() -> Option<Style> {
        let term = console::Term::stdout();
        term.is_term().then(|| Style {
            width: term.size_checked().map(|(_rows, columns)| columns),
            colour: term.features().colors_supported(),
            boxed: true,
        })
    }

    /// An empty table with these column titles, drawn in this style; columns listed in
    /// `right` are right-aligned (numbers).
    pub fn table(&self, header: &[&str], right: &[usize]) -> Table {
        let mut table = Table::new();
        table.force_no_tty();
        if self.boxed {
            table.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
        } else {
            table.load_style(presets::NOTHING);
        }
        if let Some(width) = self.width {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        if self.colour {
            table.enforce_styling();
        }
        table.set_header(header.iter().map(|h| self.strong(Cell::new(h))));
        for (i, column) in table.column_iter_mut().enumerate() {
            if right.contains(&i) {
                column.set_cell_alignment(CellAlignment::Right);
            }
            if !self.boxed {
                // Plain columns: two spaces between them, none before the first.
                column.set_padding((0, 2));
            }
        }
        table
    }

    /// `cell` in bold, when colour is on.
    pub fn strong(&self, cell: Cell) -> Cell {
        if self.colour {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }

    /// `cell` in `colour`, when colour is on.
    pub fn paint(&self, cell: Cell, colour: Color) -> Cell {
        if self.colour {
            cell.fg(colour)
        } else {
            cell
        }
    }

    /// `text` in bold `colour` (or plain), for a line outside a table.
    pub fn headline(&self, text: &str, colour: console::Color) -> String {
        console::style(text)
            .fg(colour)
            .bold()
            .force_styling(self.colour)
            .to_string()
    }

    /// `text` in bold (or plain), for a heading.
    pub fn bold(&self, text: &str) -> String {
        console::style(text)
            .bold()
            .force_styling(self.colour)
            .to_string()
    }

    /// `text` dimmed (or plain), for a secondary line.
    pub fn dim(&self, text: &str) -> String {
        console::style(text)
            .dim()
            .force_styling(self.colour)
            .to_string()
    }
}

/// Writes `table` as lines without trailing blanks, each indented by `indent`.
pub fn write_table(out: &mut String, indent: &str, table: &Table) {
    for line in table.lines() {
        out.push_str(indent);
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// Text from the files, made safe for a terminal: control characters (ANSI escapes, line
/// breaks) are shown escaped, and text longer than `max` characters is cut with `…`.
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_control_characters_and_is_bounded() {
        assert_eq!(clean("a\u{1b}[31mb\nc", 100), "a\\u{1b}[31mb\\nc");
        assert_eq!(clean("abcdef", 3), "abc…");
    }

    #[test]
    fn tables_fit_the_given_width() {
        let style = Style {
            width: Some(40),
            colour: false,
            boxed: true,
        };
        let mut table = style.table(&["FILE", "SERIES"], &[1]);
        table.add_row(vec!["a/very/long/path/".repeat(6), "12".to_string()]);
        let lines: Vec<String> = table.lines().collect();
        assert!(lines.len() > 4, "the long cell wraps: {lines:?}");
        for line in &lines {
            assert!(line.chars().count() <= 40, "{line:?} is wider than 40");
            assert!(
                !line.contains('\u{1b}'),
                "no colour was asked for: {line:?}"
            );
        }
    }

    #[test]
    fn colour_is_drawn_only_when_asked_for() {
        let mut style = Style {
            width: None,
            colour: true,
            boxed: true,
        };
        let mut table = style.table(&["A"], &[]);
        table.add_row(vec![style.paint(Cell::new("x"), Color::Red)]);
        assert!(table.to_string().contains('\u{1b}'));
        assert!(style
            .headline("fail", console::Color::Red)
            .contains('\u{1b}'));
        style.colour = false;
        let mut table = style.table(&["A"], &[]);
        table.add_row(vec![style.paint(Cell::new("x"), Color::Red)]);
        assert!(!table.to_string().contains('\u{1b}'));
        assert_eq!(style.headline("fail", console::Color::Red), "fail");
    }
}
