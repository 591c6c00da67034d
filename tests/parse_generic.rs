use benchgate::parse::{parse_file, Input};
use std::path::Path;

fn read(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn dump() {
    let root = Path::new("tests/fixtures");
    let filter = std::env::var("DUMP").unwrap_or_default();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.contains(&filter) {
            continue;
        }
        let text = read(entry.path());
        let parsed = parse_file(&Input {
            path: &rel,
            text: &text,
        });
        println!(
            "=== {rel} [{}] {} series, {} warnings",
            parsed.format,
            parsed.series.len(),
            parsed.warnings.len()
        );
        for w in &parsed.warnings {
            println!("  W {}", w.message);
        }
        for s in parsed.series.iter().take(400) {
            println!(
                "  {} | {} | {:?} | {} | {} | n={} f={} {:?}",
                s.key.benchmark,
                s.key.metric,
                s.key.labels,
                s.unit,
                s.direction,
                s.samples.len(),
                s.failed,
                &s.samples[..s.samples.len().min(4)]
            );
        }
    }
}
