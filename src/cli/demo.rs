//! The `demo` subcommand: runs the main job (`benchgate compare`) on a real base/head pair
//! embedded in the binary (examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2), so a
//! newcomer sees a complete report without preparing any data.

use super::compare::{self, CompareArgs};
use super::exit;
use clap::Parser;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Also keep the example pair in this directory (it is written to a temporary one otherwise).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Further `compare` options, after `--` (e.g. `-- --json report.json`).
    #[arg(last = true, value_name = "COMPARE OPTIONS")]
    pub compare: Vec<String>,
}

/// The embedded pair: paths relative to the pair's root and the files' bytes.
const PAIR: &[(&str, &[u8])] = &[
    ("base/chimera_homo_gpu80_ctx1024/run_1/run_1/collector_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/run_1/collector_report.md")),
    ("base/chimera_homo_gpu80_ctx1024/run_1/run_1/combined_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/run_1/combined_report.md")),
    ("base/chimera_homo_gpu80_ctx1024/run_1/run_1/insight_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/run_1/insight_report.md")),
    ("base/chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json")),
    ("base/chimera_homo_gpu80_ctx1024/run_1/summary.json", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/summary.json")),
    ("base/chimera_homo_gpu80_ctx1024/run_1/summary.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/base/chimera_homo_gpu80_ctx1024/run_1/summary.md")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/run_1/collector_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/run_1/collector_report.md")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/run_1/combined_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/run_1/combined_report.md")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/run_1/insight_report.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/run_1/insight_report.md")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/summary.json", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/summary.json")),
    ("head/chimera_homo_gpu80_ctx1024/run_1/summary.md", include_bytes!("../../examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/summary.md")),
];

/// Wraps the `compare` arguments so they can be parsed from a list of words.
#[derive(Debug, Parser)]
#[command(no_binary_name = true)]
struct CompareLine {
    #[command(flatten)]
    args: CompareArgs,
}

pub fn run(args: DemoArgs) -> u8 {
    let (root, temporary) = match &args.keep {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("benchgate-demo-{}", std::process::id())),
            true,
        ),
    };
    if let Err(e) = write_pair(&root) {
        eprintln!(
            "benchgate demo: error: cannot write the example pair to {}: {e}; pass --keep DIR with a writable directory",
            root.display()
        );
        return exit::USAGE;
    }
    let mut words: Vec<String> = vec![
        "--base".into(),
        root.join("base").display().to_string(),
        "--head".into(),
        root.join("head").display().to_string(),
    ];
    words.extend(args.compare.iter().cloned());
    let code = match CompareLine::try_parse_from(&words) {
        Ok(line) => compare::run(line.args),
        Err(e) => {
            eprintln!("benchgate demo: error: {e}");
            exit::USAGE
        }
    };
    if temporary {
        let _ = std::fs::remove_dir_all(&root);
    }
    if code == exit::FAIL {
        eprintln!(
            "benchgate demo: the example pair has gated regressions, so `benchgate compare` exits 1 here; the demo itself succeeded"
        );
        return exit::PASS;
    }
    code
}

fn write_pair(root: &Path) -> std::io::Result<()> {
    for (path, bytes) in PAIR {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    Ok(())
}
