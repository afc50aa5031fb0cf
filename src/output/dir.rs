//! Output folders that are replaced atomically, and cleaned up however a command ends.
//!
//! # The design, and why
//! A command writes into a temporary folder beside its `--out` (`.<name>.tmp-<id>`), while
//! holding an exclusive lock on a lock file beside that (`.<name>.tmp-<id>.lock`).
//! [`OutputDir::commit`] then swaps the two folders in one step (Linux `renameat2` with
//! `RENAME_EXCHANGE`), so there is no moment without a `--out`: a reader sees the old
//! folder or the new one, and a process killed at any instant leaves one of them in place.
//! The old folder, now at the temporary name, loses rungs' own files and is removed.
//!
//! What is left behind by a process that could not clean up (killed with `kill -9`, a
//! power cut) is recognised by its lock, not its pid: a temporary folder whose lock file
//! nobody holds is stale, and the next command writing the same `--out` removes it. Pids
//! are no evidence: two containers sharing a volume can both be pid 1.
//!
//! SIGINT, SIGTERM and SIGHUP remove the temporary folders of the process and end it with
//! exit status 128 + the signal (130, 143, 129); a signal that arrives during a commit
//! waits for the commit to finish, so it cannot fall between two renames.
//!
//! Every file is fsynced before the commit, and the folders after it: once a command says
//! it wrote its results, a crash cannot take them back.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

use crate::output::STATISTICS_FILES;

/// The files rungs writes into an output folder besides [`STATISTICS_FILES`]. A folder is
/// rungs' own, and so may be replaced, only if it has a manifest.json written by rungs and
/// nothing but these files ([`is_rungs_file`]).
const OTHER_FILES: [&str; 13] = [
    "manifest.json",
    crate::output::CONDITIONAL_FILE,
    "extend.json",
    "extend.jsonl",
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

/// The tables rungs may write into an output folder, in no particular order: the
/// statistics of a run and those of sweeps, comparisons and sensitivity (not `runs.csv`,
/// one row per run).
pub fn result_tables() -> impl Iterator<Item = &'static str> {
    STATISTICS_FILES
        .iter()
        .chain(&OTHER_FILES)
        .copied()
        .filter(|n| n.ends_with(".csv") && *n != "runs.csv")
}

/// Whether `name` is a file name rungs writes into an output folder.
pub fn is_rungs_file(name: &str) -> bool {
    STATISTICS_FILES.contains(&name) || OTHER_FILES.contains(&name)
}

/// An I/O error that names the path it happened on, with what rungs was doing.
fn at(path: &Path, doing: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot {doing} {}: {e}", path.display()))
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
/// manifest.json with `"tool": "rungs"` and nothing but its own files ([`is_rungs_file`]).
/// Anything else (a folder of the user's, a file, a symlink, files the user added to a
/// results folder) is refused with a message naming what is in the way; rungs never
/// deletes it.
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

/// The temporary folders of this process that are neither committed nor removed yet: what
/// a signal cleans up. Held during a commit, so that a signal waits for it.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs, once per process, the thread that turns SIGINT, SIGTERM and SIGHUP into: remove
/// the live temporary folders, say so, exit with 128 + the signal. Until a command creates
/// an output folder the signals keep their default action (there is nothing to clean).
fn clean_up_on_signals() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return; // Without the handler, a signal leaves a temporary folder for the next run.
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let mut live = live();
                for tmp in live.drain(..) {
                    remove_temporary(&tmp);
                }
                let name = match signal {
                    SIGINT => "SIGINT",
                    SIGTERM => "SIGTERM",
                    _ => "SIGHUP",
                };
                let _ = writeln!(
                    io::stderr(),
                    "\nrungs: stopped by {name}; nothing was written"
                );
                std::process::exit(128 + signal);
            }
        });
    });
}

/// The lock file of the temporary folder `tmp`.
fn lock_path(tmp: &Path) -> PathBuf {
    let mut name = tmp.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    tmp.with_file_name(name)
}

/// Removes a temporary folder of rungs' and its lock file (or a temporary file). Only rungs' own file names are
/// removed, then the folder if that empties it: what a user may have put there stays.
/// Retried a few times, since a signal can arrive while worker threads still create files.
fn remove_temporary(tmp: &Path) {
    if fs::symlink_metadata(tmp).is_ok_and(|m| m.is_file()) {
        let _ = fs::remove_file(tmp);
        return;
    }
    for _ in 0..5 {
        for name in STATISTICS_FILES.iter().chain(&OTHER_FILES) {
            let _ = fs::remove_file(tmp.join(name));
        }
        match fs::remove_dir(tmp) {
            Err(e) if e.kind() != io::ErrorKind::NotFound && tmp.exists() => continue,
            _ => break,
        }
    }
    let _ = fs::remove_file(lock_path(tmp));
}

/// Removes the temporary folders beside `target` (and lone lock files) whose lock nobody
/// holds: left by a rungs that was killed before it could clean up.
fn remove_stale_temporaries(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(prefix) {
            continue;
        }
        let path = entry.path();
        let (tmp, lock) = match name.strip_suffix(".lock") {
            Some(folder) => (parent.join(folder), path),
            None => (path.clone(), lock_path(&path)),
        };
        match File::options().write(true).open(&lock) {
            Ok(f) => {
                // Held by a live rungs: leave its folder alone.
                if f.try_lock().is_err() {
                    continue;
                }
                remove_temporary(&tmp);
            }
            // A folder without its lock file: the lock is made before the folder and removed
            // after it, so its process is gone.
            Err(e) if e.kind() == io::ErrorKind::NotFound => remove_temporary(&tmp),
            Err(_) => {}
        }
    }
}

/// Takes a fresh lock file for a temporary folder beside the target: created exclusively and
/// locked, then checked to be still the file at that path (a stale-folder sweep of another
/// rungs may have removed it between the two steps).
fn take_lock(parent: &Path, prefix: &str) -> io::Result<(PathBuf, File)> {
    use std::os::unix::fs::MetadataExt;
    let pid = std::process::id();
    for attempt in 0u32..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = parent.join(format!("{prefix}{pid}-{nanos:08x}{attempt}"));
        let lock = lock_path(&tmp);
        let file = match File::options().write(true).create_new(true).open(&lock) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(at(&lock, "create", e)),
        };
        file.lock().map_err(|e| at(&lock, "lock", e))?;
        let same = match (file.metadata(), fs::metadata(&lock)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if same {
            return Ok((tmp, file));
        }
    }
    Err(io::Error::other(format!(
        "cannot make a temporary folder in {}: too many attempts",
        parent.display()
    )))
}

/// How the temporary folder was put in place.
enum Swapped {
    /// The target did not exist: the new folder was renamed to it.
    Placed,
    /// The old target is now at the temporary name.
    Exchanged,
    /// Neither exchange nor no-replace rename is available on this file system (not Linux,
    /// or a file system without `renameat2` flags): fall back to two renames.
    Unsupported,
    /// The target appeared or vanished between our look and the rename (another rungs
    /// committing into the same `--out`): look again.
    Raced,
}

/// Puts `tmp` in place of `target`: an atomic exchange when `target` exists, a rename that
/// never replaces when it does not.
fn swap(tmp: &Path, target: &Path, exists: bool) -> io::Result<Swapped> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            CString::new(p.as_os_str().as_bytes())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL in a path"))
        };
        let (from, to) = (c(tmp)?, c(target)?);
        let flags = if exists {
            libc::RENAME_EXCHANGE
        } else {
            libc::RENAME_NOREPLACE
        };
        // SAFETY: both paths are NUL-terminated C strings that outlive the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                flags,
            )
        };
        if rc == 0 {
            return Ok(if exists {
                Swapped::Exchanged
            } else {
                Swapped::Placed
            });
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(Swapped::Unsupported),
            Some(libc::EEXIST | libc::ENOENT) => Ok(Swapped::Raced),
            _ => Err(e),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (tmp, target, exists);
        Ok(Swapped::Unsupported)
    }
}

/// Flushes a file's or a folder's contents to the disk.
fn sync(path: &Path) -> io::Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| at(path, "sync", e))
}

/// A file being written into an [`OutputDir`]: buffered, and every error names the file.
#[derive(Debug)]
pub struct OutputFile {
    path: PathBuf,
    inner: BufWriter<File>,
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let path = &self.path;
        self.inner.write(buf).map_err(|e| at(path, "write", e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let path = &self.path;
        self.inner.write_all(buf).map_err(|e| at(path, "write", e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let path = &self.path;
        self.inner.flush().map_err(|e| at(path, "write", e))
    }
}

/// An output folder written atomically (see the module documentation): files go into a
/// temporary folder beside the target, and [`OutputDir::commit`] swaps it into place.
/// Dropped without a commit (an error, a panic unwinding) or stopped by a signal, the
/// temporary folder is removed, and the target is untouched. A process killed outright
/// leaves the hidden temporary folder behind, never a half-written target, and the next
/// command into the same `--out` removes it.
#[derive(Debug)]
pub struct OutputDir {
    target: PathBuf,
    tmp: PathBuf,
    /// Held while the folder is ours: tells other rungs processes it is not stale.
    lock: Option<File>,
    committed: bool,
}

impl OutputDir {
    /// Prepares the output folder `target`: creates its parent if needed, removes stale
    /// temporary folders of earlier, killed commands, and makes a fresh temporary folder.
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
        fs::create_dir_all(&parent).map_err(|e| at(&parent, "create the folder", e))?;
        clean_up_on_signals();
        let prefix = format!(".{}.tmp-", name.to_string_lossy());
        remove_stale_temporaries(&parent, &prefix);
        let (tmp, lock) = take_lock(&parent, &prefix)?;
        let mut live = live();
        if let Err(e) = fs::create_dir(&tmp) {
            let _ = fs::remove_file(lock_path(&tmp));
            return Err(at(&tmp, "create the folder", e));
        }
        live.push(tmp.clone());
        Ok(OutputDir {
            target,
            tmp,
            lock: Some(lock),
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

    /// Creates (truncates) the file `name` in the temporary folder, buffered; its errors
    /// name the file as it will be called once committed.
    pub fn create_file(&self, name: &str) -> io::Result<OutputFile> {
        let path = self.target.join(name);
        let file = File::create(self.tmp.join(name)).map_err(|e| at(&path, "create", e))?;
        Ok(OutputFile {
            path,
            inner: BufWriter::new(file),
        })
    }

    /// Writes `table` as the CSV file `name` (errors name the file).
    pub fn write_table(&self, name: &str, table: &crate::output::Table) -> io::Result<()> {
        let mut f = self.create_file(name)?;
        let path = f.path.clone();
        table.write_csv(&mut f).map_err(|e| match e.kind() {
            // csv's own errors do not say which file.
            io::ErrorKind::Other => at(&path, "write", e),
            _ => e,
        })?;
        f.flush()
    }

    /// Puts the folder in place of the target. The target must pass [`check_replaceable`]
    /// (absent, empty, or rungs' own results with nothing added), checked again here since
    /// the user may have added a file while the runs went on. Files are synced first. The
    /// old folder's own files are removed afterwards; should it hold anything else by then
    /// (a file added in the instant between the check and the swap), it is kept beside the
    /// target as `<name>.kept-<id>` and a note says so.
    pub fn commit(mut self) -> io::Result<()> {
        for entry in fs::read_dir(&self.tmp).map_err(|e| at(&self.tmp, "read", e))? {
            let entry = entry.map_err(|e| at(&self.tmp, "read", e))?;
            sync(&entry.path())?;
        }
        sync(&self.tmp)?;
        // Held until the end: a signal now waits for the commit to finish.
        let mut live = live();
        let mut old = None;
        for _ in 0..100 {
            check_replaceable(&self.target)
                .map_err(|m| io::Error::new(io::ErrorKind::AlreadyExists, m))?;
            let exists = fs::symlink_metadata(&self.target).is_ok();
            match swap(&self.tmp, &self.target, exists)? {
                Swapped::Placed => break,
                Swapped::Exchanged => {
                    old = Some(self.tmp.clone());
                    break;
                }
                Swapped::Raced => continue,
                Swapped::Unsupported => {
                    old = self.rename_twice(exists)?;
                    break;
                }
            }
        }
        if !fs::symlink_metadata(&self.target).is_ok_and(|m| m.is_dir()) {
            return Err(io::Error::other(format!(
                "cannot put the results in place at {}: other processes keep replacing it",
                self.target.display()
            )));
        }
        self.committed = true;
        live.retain(|p| p != &self.tmp);
        if let Some(parent) = self.tmp.parent() {
            let _ = sync(parent);
        }
        if let Some(old) = old {
            remove_temporary(&old);
            if old.exists() {
                let kept = self.target.with_file_name(format!(
                    "{}.kept-{}",
                    self.target
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy(),
                    std::process::id()
                ));
                if fs::rename(&old, &kept).is_ok() {
                    eprintln!(
                        "note: files were added to {} while rungs wrote it; they are kept in {}",
                        self.target.display(),
                        kept.display()
                    );
                }
            }
        }
        let _ = fs::remove_file(lock_path(&self.tmp));
        self.lock = None;
        Ok(())
    }

    /// The fallback where `renameat2` is not available: the old folder is moved aside to
    /// `.<name>.old-<id>` (a name the stale-folder sweep leaves alone), then the new one renamed into place (a kill -9 between the two
    /// leaves the old results at the hidden name). Returns where the old folder went.
    fn rename_twice(&self, exists: bool) -> io::Result<Option<PathBuf>> {
        // Not under the temporary prefix: a stale-folder sweep must never remove old results.
        let aside = exists.then(|| {
            let name = self.tmp.file_name().unwrap_or_default().to_string_lossy();
            self.tmp.with_file_name(name.replacen(".tmp-", ".old-", 1))
        });
        if let Some(aside) = &aside {
            fs::rename(&self.target, aside).map_err(|e| at(&self.target, "move aside", e))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            if let Some(aside) = &aside {
                let _ = fs::rename(aside, &self.target);
            }
            return Err(at(&self.target, "rename into place", e));
        }
        Ok(aside)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let mut live = live();
            remove_temporary(&self.tmp);
            live.retain(|p| p != &self.tmp);
        }
    }
}

/// Writes `bytes` to the file `path` atomically: into a hidden temporary file beside it
/// (`.<name>.tmp-<pid>`, removed on SIGINT, SIGTERM and SIGHUP like an output folder's),
/// fsynced, then renamed over `path`, so a reader sees the old file or the new one and
/// other files in the folder are left alone. How shards write their partial files.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| at(&parent, "create the folder", e))?;
    clean_up_on_signals();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    live().push(tmp.clone());
    let write = || -> io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    let result = write().map_err(|e| at(path, "write", e));
    let mut live = live();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    live.retain(|p| p != &tmp);
    drop(live);
    let _ = sync(&parent);
    result
}
