//! The `INPUT_*` variables the runner sets for every step of this action: one for each input
//! that `action.yml` gives a non-empty default, with the `${{ github.token }}` expression
//! evaluated to the token the step runs with.

use std::path::Path;

/// `(variable, value)` for every input with a default in `action.yml`.
pub fn defaults(token: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let text = std::fs::read_to_string(&path).expect("action.yml");
    let action: serde_norway::Value = serde_norway::from_str(&text).expect("action.yml parses");
    let inputs = action["inputs"].as_mapping().expect("inputs");
    let mut vars = Vec::new();
    for (name, spec) in inputs {
        let name = name.as_str().expect("input name");
        let default = match &spec["default"] {
            serde_norway::Value::String(s) => s.clone(),
            serde_norway::Value::Bool(b) => b.to_string(),
            serde_norway::Value::Number(n) => n.to_string(),
            _ => continue,
        };
        if default.is_empty() {
            continue;
        }
        let value = default.replace("${{ github.token }}", token);
        assert!(
            !value.contains("${{"),
            "input `{name}`: evaluate its default expression here"
        );
        vars.push((
            format!("INPUT_{}", name.replace(' ', "_").to_uppercase()),
            value,
        ));
    }
    vars
}
