//! Atomic output folders.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use crate::output::STATISTICS_FILES;

/// The files rungs writes into an output folder besides [`STATISTICS_FILES`]. A folder is
/// rungs' own, and so may be replaced, only if it has a manifest.json written by rungs and
/// nothing but these files ([`is_rungs_file`]).
const OTHER_FILES: [&str; 10] = [
    "manifest.json",
    "runs.csv",
    "points.csv",
    "sweep_steps.csv",
    "sweep_outcomes.csv",
    "tornado.csv",
    "importance.csv",
    "compare.csv",
    "report.html",
    "report.xlsx",
];

/// Whether `name` is a file name rungs writes into an output folder.
pub fn is_rungs_file(name: &str) -> bool {
    STATISTICS_FILES.contains(&name) || OTHER_FILES.contains(&name)
}

/// `path` made absolute, with every part that exists resolved (symlinks, `..`), and the rest
/// appended as written: a folder that does not exist yet still compares correctly.
fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut head = abs.clone();
    let mut tail = Vec::new();
    loop {
        if let Ok(mut real) = fs::canonicalize(&head) {
            real.extend(tail.iter().rev());
            return real;
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                head = parent.to_path_buf();
            }
            _ => return abs,
        }
    }
}

/// A few names of `names`, for a message: `a, b, c and 4 more`.
fn a_few(names: &[String]) -> String {
    let mut s = names.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > 5 {
        s.push_str(&format!(" and {} more", names.len() - 5));
    }
    s
}

/// Checks that `target` may be used as the `--out` folder of a command whose inputs
/// (scenario files, partial files) are `inputs`, before any work is done. Refused, with a
/// message that says what is in the way: the working folder or one of its ancestors; a
/// folder that holds an input; anything [`check_replaceable`] refuses.
pub fn check_out(target: &Path, inputs: &[&Path]) -> Result<(), String> {
    let t = resolve(target);
    if resolve(Path::new(".")).starts_with(&t) {
        return Err(format!(
            "--out {} is the working folder or one of its ancestors; rungs replaces its --out \
             folder as a whole, so give it a folder of its own, such as out/results",
            target.display()
        ));
    }
    for input in inputs {
        if resolve(input).starts_with(&t) {
            return Err(format!(
                "--out {} holds {}, an input of this command; rungs replaces its --out folder \
                 as a whole, so give it a folder of its own, such as out/results",
                target.display(),
                input.display()
            ));
        }
    }
    check_replaceable(target)
}

/// Checks that `target` is absent, an empty folder, or a folder rungs wrote itself: a
/// manifest.json with `"tool": "rungs"` and nothing but its own files ([`is_rungs_file`]). Anything else
/// (a folder of the user's, a file, a symlink, files the user added to a results folder)
/// is refused with a message naming what is in the way; rungs never deletes it.
pub fn check_replaceable(target: &Path) -> Result<(), String> {
    let shown = target.display();
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    if !meta.is_dir() {
        return Err(format!(
            "--out {shown} exists and is not a folder (a file or a link); rungs will not \
             replace it: remove it or choose another --out"
        ));
    }
    let mut entries: Vec<String> = fs::read_dir(target)
        .map_err(|e| format!("cannot read {shown}: {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    entries.sort();
    let ours = fs::read(target.join("manifest.json"))
        .ok()
        .filter(|b| b.len() < 1 << 24)
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["tool"] == "rungs");
    if !ours {
        return Err(format!(
            "--out {shown} already holds files that rungs did not write ({}); rungs replaces \
             only a folder it wrote itself (one with its manifest.json), so nothing was \
             touched: choose another --out, such as out/results",
            a_few(&entries)
        ));
    }
    let foreign: Vec<String> = entries
        .into_iter()
        .filter(|e| {
            !is_rungs_file(e) || fs::symlink_metadata(target.join(e)).is_ok_and(|m| !m.is_file())
        })
        .collect();
    if !foreign.is_empty() {
        return Err(format!(
            "--out {shown} is a folder of rungs' results, but it also holds files rungs did not \
             write ({}); rungs will not replace the folder while they are there: move them \
             elsewhere, or choose another --out",
            a_few(&foreign)
        ));
    }
    Ok(())
}

/// An output folder written atomically: files go into a temporary folder beside the target
/// (`.<name>.tmp-<pid>`), and [`OutputDir::commit`] renames it into place. Dropped without a
/// commit (an error, a panic unwinding), the temporary folder is removed, and the target is
/// untouched. A process killed outright leaves the hidden temporary folder behind, never a
/// half-written target.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Prepares the output folder `target`: creates its parent if needed and a fresh
    /// temporary folder beside it.
    pub fn create(target: impl AsRef<Path>) -> io::Result<OutputDir> {
        let target = target.as_ref().to_path_buf();
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{}` does not name a folder rungs can replace; give --out a folder name \
                     such as out/results",
                    target.display()
                ),
            )
        })?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let tmp = parent.join(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if tmp.exists() {
            // Left by an earlier process with our pid that was killed: it is ours to reuse.
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        Ok(OutputDir {
            target,
            tmp,
            committed: false,
        })
    }

    /// The temporary folder files are written into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Where the folder goes on commit.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Creates (truncates) the file `name` in the temporary folder, buffered.
    pub fn create_file(&self, name: &str) -> io::Result<BufWriter<File>> {
        File::create(self.tmp.join(name)).map(BufWriter::new)
    }

    /// Renames the temporary folder into place. The target must pass
    /// [`check_replaceable`] (absent, empty, or rungs' own results with nothing added);
    /// then, if it exists, it is moved aside (`.<name>.old-<pid>`), the new folder renamed
    /// into place, and rungs' own files removed from the old one. If the final rename fails,
    /// the previous folder is moved back.
    pub fn commit(mut self) -> io::Result<()> {
        // Checked again here, where the old folder is replaced: the user may have added a
        // file to it while the runs went on.
        check_replaceable(&self.target)
            .map_err(|m| io::Error::new(io::ErrorKind::AlreadyExists, m))?;
        let aside = match fs::symlink_metadata(&self.target) {
            Ok(meta) if meta.is_dir() => {
                let name = self
                    .target
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let aside = self
                    .tmp
                    .with_file_name(format!(".{name}.old-{}", std::process::id()));
                if aside.exists() {
                    fs::remove_dir_all(&aside)?;
                }
                fs::rename(&self.target, &aside)?;
                Some(aside)
            }
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "`{}` exists and is not a folder; remove it or choose another --out",
                        self.target.display()
                    ),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if let Some(aside) = &aside {
                let _ = fs::rename(aside, &self.target);
            }
            return Err(e);
        }
        self.committed = true;
        if let Some(aside) = aside {
            // The new results are in place. Only rungs' own files are removed from the old
            // folder, and the folder only if that empties it: a file that appeared there
            // since the check stays (in the hidden `.<name>.old-<pid>` folder). A failure to
            // clean up is not a failure of the command.
            for name in STATISTICS_FILES.iter().chain(&OTHER_FILES) {
                let _ = fs::remove_file(aside.join(name));
            }
            let _ = fs::remove_dir(aside);
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}
