//! Atomic output folders.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

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

    /// Renames the temporary folder into place. If the target exists and is a folder, it is
    /// first moved aside (`.<name>.old-<pid>`), then removed once the new folder is in place:
    /// its previous contents, files the user added included, are replaced. A target that
    /// exists and is not a folder is an error (nothing is removed). If the final rename
    /// fails, the previous folder is moved back.
    pub fn commit(mut self) -> io::Result<()> {
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
            // The new results are in place; a failure to clean up the old ones is not a
            // failure of the command.
            let _ = fs::remove_dir_all(aside);
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
