//! `benchgate completions` and `benchgate man` run as processes: scripts and pages are
//! generated from the command-line definitions and name every subcommand.

use assert_cmd::cargo::cargo_bin_cmd;

const SUBCOMMANDS: [&str; 6] = ["scan", "compare", "demo", "action", "completions", "man"];

fn stdout(args: &[&str]) -> String {
    let out = cargo_bin_cmd!("benchgate").args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completion_scripts_cover_every_subcommand() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("complete -F _benchgate"), "{bash}");
    for sub in SUBCOMMANDS {
        assert!(
            bash.contains(&format!("benchgate,{sub})")),
            "bash: no {sub}"
        );
    }
    assert!(bash.contains("--series"));
    let zsh = stdout(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef benchgate"), "{zsh}");
    let fish = stdout(&["completions", "fish"]);
    assert!(fish.contains("complete -c benchgate"), "{fish}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = cargo_bin_cmd!("benchgate")
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bash"));
}

#[test]
fn man_pages_are_generated_for_every_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH benchgate 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("benchgate\\-{sub}(1)")),
            "no {sub} in\n{page}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man");
    stdout(&["man", "--dir", pages.to_str().unwrap()]);
    for sub in SUBCOMMANDS {
        let sub_page = std::fs::read_to_string(pages.join(format!("benchgate-{sub}.1"))).unwrap();
        assert!(
            sub_page.contains(&format!(".TH benchgate-{sub} 1")),
            "{sub_page}"
        );
    }
    let scan = std::fs::read_to_string(pages.join("benchgate-scan.1")).unwrap();
    assert!(scan.contains("series"), "{scan}");
}
