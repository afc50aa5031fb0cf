//! `--out` never destroys what rungs did not write: each case on real folders holding a
//! user's files.

mod common;

use std::path::Path;

use common::{rungs, write_file};

const SCENARIO: &str = "[scenario]\nname = \"s\"\nhorizon = 10\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = 0.5\ndelay = 1\n";

/// Runs rungs in `cwd`; returns (exit code, stderr).
fn rungs_in(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = rungs().current_dir(cwd).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_refused(cwd: &Path, args: &[&str], says: &str) {
    let (code, err) = rungs_in(cwd, args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
}

#[test]
fn the_scenarios_own_folder_the_working_folder_and_its_ancestors_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    write_file(&project.join("src"), "main.rs", "fn main() {}");
    write_file(&project, "s.toml", SCENARIO);
    let scenarios = project.join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    write_file(&scenarios, "t.toml", SCENARIO);
    let h = home.path().to_str().unwrap();
    for (args, says) in [
        (
            vec!["run", "scenarios/t.toml", "--out", "scenarios"],
            "an input",
        ),
        (vec!["run", "s.toml", "--out", "."], "working folder"),
        (
            vec!["run", "s.toml", "--out", &project.display().to_string()],
            "working folder",
        ),
        (vec!["run", "s.toml", "--out", h], "working folder"),
        (vec!["run", "s.toml", "--out", ".."], "working folder"),
        (
            vec![
                "compare",
                "s.toml",
                "scenarios/t.toml",
                "--out",
                "scenarios",
            ],
            "an input",
        ),
    ] {
        assert_refused(&project, &args, says);
    }
    // Everything is still there.
    assert!(project.join("src/main.rs").exists() && scenarios.join("t.toml").exists());
}

#[test]
fn a_folder_of_the_users_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "s.toml", SCENARIO);
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    write_file(&mine, "thesis.docx", "precious");
    assert_refused(
        dir.path(),
        &["run", "s.toml", "--out", "mine"],
        "thesis.docx",
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("thesis.docx")).unwrap(),
        "precious"
    );
    // A file where the folder would go.
    write_file(dir.path(), "afile", "x");
    assert_refused(
        dir.path(),
        &["run", "s.toml", "--out", "afile"],
        "not a folder",
    );
}

#[test]
fn rungs_replaces_its_own_folder_but_not_files_a_user_added_to_it() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "s.toml", SCENARIO);
    let run = ["run", "s.toml", "--runs", "50", "--quiet", "--out", "res"];
    assert_eq!(rungs_in(dir.path(), &run).0, Some(0));
    assert_eq!(
        rungs_in(dir.path(), &run).0,
        Some(0),
        "its own folder is replaced"
    );
    write_file(&dir.path().join("res"), "notes.txt", "mine");
    assert_refused(dir.path(), &run, "notes.txt");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("res/notes.txt")).unwrap(),
        "mine"
    );
    assert!(dir.path().join("res/steps.csv").exists());
}

#[test]
fn merge_into_the_folder_of_its_partials_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "s.toml", SCENARIO);
    for k in ["0/2", "1/2"] {
        let args = [
            "run", "s.toml", "--runs", "3000", "--quiet", "--shard", k, "--out", "parts",
        ];
        assert_eq!(rungs_in(dir.path(), &args).0, Some(0));
    }
    let parts = [
        "merge",
        "parts/shard-0-of-2.json",
        "parts/shard-1-of-2.json",
        "--out",
        "parts",
    ];
    assert_refused(dir.path(), &parts, "an input");
    assert!(dir.path().join("parts/shard-0-of-2.json").exists());
    let mut ok = parts;
    ok[4] = "merged";
    assert_eq!(rungs_in(dir.path(), &ok).0, Some(0));
}

#[test]
fn tornado_and_importance_have_default_folders_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "p.toml",
        "[scenario]\nname = \"p\"\nhorizon = 10\n[parameters]\nq = { dist = \"uniform\", min = 0.2, max = 0.8 }\n[[steps]]\nid = \"a\"\nrung = 1\nprobability = \"q\"\ndelay = 1\nends = \"done\"\n",
    );
    for mode in ["--tornado", "--importance"] {
        let args = ["sweep", "p.toml", mode, "--runs", "100", "--quiet"];
        assert_eq!(rungs_in(dir.path(), &args).0, Some(0), "{mode}");
    }
    assert!(dir.path().join("out/p-tornado/tornado.csv").exists());
    assert!(dir.path().join("out/p-importance/importance.csv").exists());
}

#[test]
fn the_manifest_holds_the_scenario_text_and_the_options_that_shaped_the_files() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "s.toml", SCENARIO);
    let args = [
        "run", "s.toml", "--runs", "50", "--paths", "7", "--quiet", "--out", "res",
    ];
    assert_eq!(rungs_in(dir.path(), &args).0, Some(0));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["scenario_text"], SCENARIO);
    assert_eq!(
        m["scenario_sha256"],
        rungs::partial::sha256_hex(SCENARIO.as_bytes())
    );
    assert_eq!(m["options"]["paths"], 7);
    assert_eq!(m["options"]["per_run"], false);
}
