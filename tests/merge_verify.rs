//! `rungs merge` verifies what it adds (issue: never falsify a user's data): a partial that
//! was damaged in any byte is refused, and a hand-edited one whose counts cannot be right is
//! refused even when its checksum was recomputed.

mod common;

use std::path::{Path, PathBuf};

use common::{rungs, write_file};
use rungs::partial;

/// A small scenario: a chain, a branch, an outcome and a repeating step (node 4), so the
/// partial has every kind of statistic (times, timeline, paths, state, parameters, exact
/// value counts, repeat counts) yet stays a few kilobytes.
const SCENARIO: &str = r#"
[scenario]
name = "Small"
horizon = 20
resolution = 5

[parameters]
p = { dist = "uniform", min = 0.2, max = 0.8 }

[actors.a]
state = { n = 0 }

[[steps]]
id = "one"
actor = "a"
rung = 1
probability = "p"
delay = { dist = "exponential", mean = 4 }
effects = ["a.n += 1"]

[[steps]]
id = "two"
actor = "a"
rung = 2
after = ["one"]
delay = 3
branches = [
  { id = "left", probability = 0.1 },
  { id = "right", probability = 0.9, ends = "stop" },
]

[[steps]]
id = "again"
actor = "a"
rung = 1
hazard = "0.1"
repeat = 3
"#;

/// Writes the scenario and two shards of it; returns the shard files.
fn shards(dir: &Path, runs: u64) -> Vec<PathBuf> {
    let scenario = write_file(dir, "small.toml", SCENARIO);
    let parts = dir.join("parts");
    for k in 0..2 {
        rungs()
            .args(["run", "--quiet", "--runs", &runs.to_string(), "--shard"])
            .arg(format!("{k}/2"))
            .arg(&scenario)
            .arg("--out")
            .arg(&parts)
            .assert()
            .success();
    }
    (0..2)
        .map(|k| parts.join(format!("shard-{k}-of-2.json")))
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path) -> std::process::Output {
    rungs()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("rungs merge")
}

/// Reseals a partial after an edit, as a careful forger would: the checksum then matches,
/// so only the consistency checks stand between the edit and a wrong result.
fn edit_and_reseal(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let bytes = std::fs::read(path).unwrap();
    let part = partial::open(&bytes).expect("a good partial");
    let mut value = serde_json::to_value(&part).unwrap();
    edit(&mut value);
    let part: partial::Partial<serde_json::Value> = serde_json::from_value(value).unwrap();
    std::fs::write(path, partial::seal(&part).unwrap()).unwrap();
}

#[test]
fn every_flipped_byte_is_refused_or_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), 2048);
    let bytes = std::fs::read(&parts[0]).unwrap();
    let clean = serde_json::to_value(partial::open(&bytes).unwrap()).unwrap();
    let (mut refused, mut same) = (0, 0);
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            match partial::open(&b) {
                Err(_) => refused += 1,
                Ok(p) => {
                    // Accepted: then it must be the same partial, so the merge is the same.
                    assert_eq!(
                        serde_json::to_value(p).unwrap(),
                        clean,
                        "byte {i} ^ {flip:#x} was accepted with a different meaning"
                    );
                    same += 1;
                }
            }
        }
    }
    assert!(refused > 0);
    eprintln!(
        "{} bytes x 3 flips: {refused} refused, {same} harmless",
        bytes.len()
    );
}

#[test]
fn a_damaged_partial_is_refused_by_merge_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), 2048);
    // A digit of a count, changed without resealing.
    let text = std::fs::read_to_string(&parts[1]).unwrap();
    // (A node's count, a number: the conditional counts' `happened` is a list.)
    let at = text.find("\"happened\":").unwrap() + "\"happened\":".len();
    let at = at + text[at..].find(|c: char| c.is_ascii_digit()).unwrap();
    let mut b = text.into_bytes();
    b[at] = if b[at] == b'9' { b'8' } else { b[at] + 1 };
    std::fs::write(&parts[1], &b).unwrap();
    let out = merge(&parts, &dir.path().join("merged"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shard-1-of-2.json") && err.contains("checksum"),
        "{err}"
    );
    assert!(!dir.path().join("merged").exists());
}

#[test]
fn resealed_edits_that_cannot_be_right_are_refused() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 11] = [
        (
            "runs = 2^64 - 1",
            |v| v["job"]["runs"] = serde_json::json!(u64::MAX),
            "",
        ),
        (
            "a block's run count",
            |v| {
                let n = &mut v["payload"]["nodes"][0][2]["runs"];
                *n = serde_json::json!(n.as_u64().unwrap() + 1);
            },
            "runs",
        ),
        (
            "a step's count",
            |v| {
                let n = &mut v["payload"]["nodes"][0][2]["nodes"][0]["happened"];
                *n = serde_json::json!(n.as_u64().unwrap() + 1);
            },
            "step 0",
        ),
        (
            "the scenario text",
            |v| {
                let t = v["scenario_text"].as_str().unwrap().replace("0.9", "0.8");
                v["scenario_text"] = serde_json::json!(t);
            },
            "SHA-256",
        ),
        (
            "an outcome's count",
            |v| {
                let n = &mut v["payload"]["nodes"][0][2]["outcomes"][0]["count"];
                *n = serde_json::json!(n.as_u64().unwrap() + 1);
            },
            "outcome",
        ),
        (
            "an older partial format",
            |v| v["job"]["format_version"] = serde_json::json!(2),
            "partial format rungs-partial v2",
        ),
        (
            "a state variable's exact count",
            |v| {
                let c = &mut v["payload"]["nodes"][0][2]["vars"][0]["exact"]["values"][0][1];
                *c = serde_json::json!(c.as_u64().unwrap() + 1);
            },
            "exact value counts disagree",
        ),
        (
            "a repeat count moved to another value (same total)",
            |v| {
                let values =
                    &mut v["payload"]["nodes"][0][2]["repeats"][0]["count"]["exact"]["values"];
                let c0 = values[0][1].as_u64().unwrap();
                let c1 = values[1][1].as_u64().unwrap();
                values[0][1] = serde_json::json!(c0 - 1);
                values[1][1] = serde_json::json!(c1 + 1);
            },
            "step 4: its repeat counts: its quantile sketch and its exact value counts disagree",
        ),
        (
            "repeat counts that say every run happened",
            |v| {
                let values =
                    &mut v["payload"]["nodes"][0][2]["repeats"][0]["count"]["exact"]["values"];
                let zeros = values[0][1].as_u64().unwrap();
                values[0][1] = serde_json::json!(0);
                let c1 = values[1][1].as_u64().unwrap();
                values[1][1] = serde_json::json!(c1 + zeros);
            },
            "exact value counts",
        ),
        (
            "exact values out of order",
            |v| {
                let values = &mut v["payload"]["nodes"][0][2]["vars"][0]["exact"]["values"];
                let first = values[0].clone();
                values[0] = values[1].clone();
                values[1] = first;
            },
            "increasing order",
        ),
        (
            // `left` happens in some 50 of the block's 1024 runs: too few to overflow.
            "an overflow claimed for fewer values than it takes",
            |v| {
                let time = &mut v["payload"]["nodes"][0][2]["nodes"][2]["time"];
                let n = time["moments"]["n"].as_u64().unwrap();
                assert!(n <= rungs::stats::MAX_EXACT as u64, "{n} times");
                time["exact"] = serde_json::json!({"values": [], "overflow": true});
            },
            "step 2: its moments and its exact value counts disagree",
        ),
    ];
    for (what, edit, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        let parts = shards(dir.path(), 2048);
        edit_and_reseal(&parts[0], edit);
        let out = merge(&parts, &dir.path().join("merged"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("shard-0-of-2.json") && err.contains(says),
            "{what}: {err}"
        );
    }
}

#[test]
fn fifos_devices_and_folders_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("part.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for input in [fifo.as_path(), Path::new("/dev/zero"), dir.path()] {
        let start = std::time::Instant::now();
        let out = merge(&[input.to_path_buf()], &dir.path().join("merged"));
        assert_eq!(out.status.code(), Some(2), "{}", input.display());
        assert!(start.elapsed().as_secs() < 10);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("not a regular file") || err.contains("folder"),
            "{err}"
        );
        // The same for a scenario.
        let out = rungs()
            .args(["run", "--quiet"])
            .arg(input)
            .arg("--out")
            .arg(dir.path().join("o"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", input.display());
    }
}
