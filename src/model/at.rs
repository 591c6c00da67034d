//! [`At`], the place inside a file that a value was read from, kept compact: a table cell is
//! a line number and a column name shared by every cell of the column, so recording where
//! each sample came from costs no allocation. The text (`line 12, column tokens_s`) is made
//! only when an origin is shown or written, and it is what equality, order and JSON use.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A place inside a file.
#[derive(Debug, Clone, Default)]
pub enum At {
    /// Nothing more precise than the file itself.
    #[default]
    WholeFile,
    /// A line (`line 12`).
    Line(u32),
    /// A table cell (`line 12, column tokens_s`).
    Cell { line: u32, column: Arc<str> },
    /// A place inside a document embedded at a line of the file (`line 4, /mean`).
    Within { line: u32, inner: Box<At> },
    /// Any other description: a JSON pointer, a record number.
    Text(Box<str>),
}

impl At {
    /// The place of a table cell.
    pub fn cell(line: u64, column: &Arc<str>) -> At {
        At::Cell {
            line: line_number(line),
            column: column.clone(),
        }
    }

    /// A line of a text file.
    pub fn line(line: u64) -> At {
        At::Line(line_number(line))
    }

    /// This place, inside a document embedded at `line` of another file.
    pub fn within(self, line: u64) -> At {
        match self {
            At::WholeFile => At::line(line),
            inner => At::Within {
                line: line_number(line),
                inner: Box::new(inner),
            },
        }
    }

    /// True when the origin names only the file.
    pub fn is_whole_file(&self) -> bool {
        match self {
            At::WholeFile => true,
            At::Text(t) => t.is_empty(),
            _ => false,
        }
    }

    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            At::Text(t) => std::borrow::Cow::Borrowed(t),
            At::WholeFile => std::borrow::Cow::Borrowed(""),
            other => std::borrow::Cow::Owned(other.to_string()),
        }
    }
}

/// Line numbers beyond `u32` (a file of more than four billion lines) saturate.
fn line_number(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::WholeFile => Ok(()),
            At::Line(line) => write!(f, "line {line}"),
            At::Cell { line, column } => write!(f, "line {line}, column {column}"),
            At::Within { line, inner } => write!(f, "line {line}, {inner}"),
            At::Text(t) => f.write_str(t),
        }
    }
}

impl From<&str> for At {
    fn from(text: &str) -> At {
        if text.is_empty() {
            At::WholeFile
        } else {
            At::Text(text.into())
        }
    }
}

impl From<String> for At {
    fn from(text: String) -> At {
        if text.is_empty() {
            At::WholeFile
        } else {
            At::Text(text.into_boxed_str())
        }
    }
}

impl From<&String> for At {
    fn from(text: &String) -> At {
        At::from(text.as_str())
    }
}

impl PartialEq for At {
    fn eq(&self, other: &At) -> bool {
        match (self, other) {
            (At::Line(a), At::Line(b)) => a == b,
            (At::Cell { line: a, column: x }, At::Cell { line: b, column: y }) => a == b && x == y,
            _ => self.text() == other.text(),
        }
    }
}

impl Eq for At {}

impl PartialEq<str> for At {
    fn eq(&self, other: &str) -> bool {
        self.text() == other
    }
}

impl PartialEq<&str> for At {
    fn eq(&self, other: &&str) -> bool {
        self.text() == *other
    }
}

impl PartialEq<String> for At {
    fn eq(&self, other: &String) -> bool {
        self.text() == other.as_str()
    }
}

impl Hash for At {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text().hash(state);
    }
}

impl PartialOrd for At {
    fn partial_cmp(&self, other: &At) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for At {
    fn cmp(&self, other: &At) -> Ordering {
        self.text().cmp(&other.text())
    }
}

impl Serialize for At {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for At {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<At, D::Error> {
        Ok(At::from(String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_they_always_did() {
        let column: Arc<str> = "tokens_s".into();
        assert_eq!(
            At::cell(12, &column).to_string(),
            "line 12, column tokens_s"
        );
        assert_eq!(At::line(3).to_string(), "line 3");
        assert_eq!(At::from("/mean").within(4).to_string(), "line 4, /mean");
        assert_eq!(At::WholeFile.within(4).to_string(), "line 4");
        assert_eq!(At::WholeFile.to_string(), "");
    }

    #[test]
    fn equality_and_order_follow_the_text() {
        let column: Arc<str> = "lat".into();
        assert_eq!(At::cell(4, &column), At::from("line 4, column lat"));
        assert_eq!(At::cell(4, &column), "line 4, column lat");
        assert_ne!(At::line(4), At::line(5));
        assert!(At::line(10) < At::line(9), "ordered as text, as before");
        assert_eq!(At::from(""), At::WholeFile);
        assert!(At::from("").is_whole_file());
    }

    #[test]
    fn a_place_is_small_and_a_cell_needs_no_allocation_of_its_own() {
        assert!(std::mem::size_of::<At>() <= 24);
        let column: Arc<str> = "tokens_s".into();
        let cells: Vec<At> = (0..1000).map(|line| At::cell(line, &column)).collect();
        // Every cell shares the column's name.
        assert_eq!(Arc::strong_count(&column), 1001);
        drop(cells);
        assert_eq!(Arc::strong_count(&column), 1);
    }

    #[test]
    fn json_is_the_text() {
        let column: Arc<str> = "ttft_s".into();
        let json = serde_json::to_string(&At::cell(2, &column)).unwrap();
        assert_eq!(json, "\"line 2, column ttft_s\"");
        let back: At = serde_json::from_str(&json).unwrap();
        assert_eq!(back, At::cell(2, &column));
    }
}
