//! manifest.json describes its folder: what kind of results, which files, every option that
//! shaped them, and the scenario text, so the folder alone can rerun the command.

mod common;

use std::path::Path;

use common::{rungs, write_file};
use rungs::output::Manifest;

const SCENARIO: &str = "[scenario]\nname = \"s\"\nhorizon = 10\n\n[parameters]\np = { dist = \"uniform\", min = 0.25, max = 0.75 }\n\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"p\"\ndelay = 1\n";

fn ok(cwd: &Path, args: &[&str]) {
    let out = rungs().current_dir(cwd).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The non-hidden files of `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn each_kind_of_folder_says_its_kind_and_lists_exactly_its_files() {
    let d = tempfile::tempdir().unwrap();
    write_file(d.path(), "s.toml", SCENARIO);
    write_file(d.path(), "t.toml", &SCENARIO.replace("0.75", "0.5"));
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["run", "s.toml", "--runs", "200", "--per-run", "--out", "r"],
            "r",
            "run",
        ),
        (
            &[
                "sweep", "s.toml", "--runs", "50", "--vary", "p=0..1:3", "--out", "v",
            ],
            "v",
            "sweep",
        ),
        (
            &["sweep", "s.toml", "--runs", "50", "--tornado", "--out", "t"],
            "t",
            "tornado",
        ),
        (
            &[
                "sweep",
                "s.toml",
                "--runs",
                "50",
                "--importance",
                "--out",
                "i",
            ],
            "i",
            "importance",
        ),
        (
            &[
                "sweep",
                "s.toml",
                "--runs",
                "50",
                "--tornado",
                "--importance",
                "--out",
                "ti",
            ],
            "ti",
            "tornado+importance",
        ),
        (
            &["compare", "s.toml", "t.toml", "--runs", "200", "--out", "c"],
            "c",
            "compare",
        ),
    ];
    for (args, out, kind) in cases {
        ok(d.path(), &[args, &["-q"]].concat());
        let folder = d.path().join(out);
        let m = Manifest::read(&folder).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_eq!(m.kind, kind, "{args:?}");
        assert_eq!(m.files, listing(&folder), "{args:?}");
        assert_eq!(m.scenario_text, SCENARIO, "{args:?}");
        assert_eq!(m.tool, "rungs");
    }
    let m = Manifest::read(&d.path().join("r")).unwrap();
    assert_eq!(m.options["per_run"], true);
    assert!(m.files.contains(&"runs.csv".to_string()));
}

#[test]
fn a_manifest_whose_scenario_text_was_edited_is_refused() {
    let d = tempfile::tempdir().unwrap();
    write_file(d.path(), "s.toml", SCENARIO);
    ok(
        d.path(),
        &["run", "s.toml", "--runs", "100", "-q", "--out", "r"],
    );
    let path = d.path().join("r/manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("max = 0.75", "max = 0.95")).unwrap();
    let err = Manifest::read(&d.path().join("r")).unwrap_err();
    assert!(err.contains("does not match its scenario_sha256"), "{err}");
    std::fs::write(
        &path,
        text.replace("\"tool\": \"rungs\"", "\"tool\": \"other\""),
    )
    .unwrap();
    let err = Manifest::read(&d.path().join("r")).unwrap_err();
    assert!(err.contains("not by rungs"), "{err}");
}
