//! `benchgate demo` runs the main job on the embedded example pair: the README's first
//! command must work from any directory without data.

use std::path::Path;

#[test]
fn demo_reports_the_embedded_pair_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let out = assert_cmd::cargo::cargo_bin_cmd!("benchgate")
        .current_dir(dir.path())
        .args(["demo", "--keep", "pair", "--", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let comment = String::from_utf8(out.stdout).unwrap();
    assert!(comment.starts_with("### ❌ Benchmarks: fail"), "{comment}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("exits 1 here"));

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["verdict"], "fail");
    // Agent B's generation throughput fell from 49.6 to 41.0 tokens/s between the two versions.
    let throughput = report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["benchmark"] == "insight" && d["metric"] == "throughput_tokens_per_sec")
        .expect("agent B throughput");
    assert_eq!(throughput["status"], "regression");
    assert_eq!(throughput["direction"], "higher_is_better");
    assert!((throughput["base"]["mean"].as_f64().unwrap() - 49.6).abs() < 0.05);

    // --keep leaves the pair on disk with the same files as examples/.
    let kept = dir
        .path()
        .join("pair/head/chimera_homo_gpu80_ctx1024/run_1/summary.json");
    let original = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2/head/chimera_homo_gpu80_ctx1024/run_1/summary.json",
    );
    assert_eq!(
        std::fs::read(kept).unwrap(),
        std::fs::read(original).unwrap()
    );
}

#[test]
fn demo_rejects_unknown_compare_options() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("benchgate")
        .args(["demo", "--", "--no-such-option"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
