//! Reading input files (scenarios, partial files) without trusting them: only regular files,
//! and never more than a stated number of bytes.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Reads the whole regular file at `path`, at most `limit` bytes. `what` names the kind of
/// file in messages ("scenario file", "partial file").
///
/// A FIFO, a socket, a device such as `/dev/zero` or a folder is refused before it is
/// opened: reading a FIFO with no writer blocks forever, and `/dev/zero` never ends. A file
/// that grows past `limit` while it is read is refused too: the read is bounded by
/// [`Read::take`], not by the size the metadata reported.
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, a socket or a device)"
        };
        return Err(format!(
            "{} is {kind}; give the path of a {what}",
            path.display()
        ));
    }
    if meta.len() > limit {
        return Err(too_big(path, what, limit));
    }
    let file =
        File::open(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(path, what, limit));
    }
    Ok(bytes)
}

fn too_big(path: &Path, what: &str, limit: u64) -> String {
    format!(
        "{} is larger than a {what} may be ({limit} bytes)",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_folders_and_large_files() {
        let e = read_bounded(Path::new("/dev/zero"), 100, "scenario file").unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read_bounded(Path::new("/"), 100, "scenario file").unwrap_err();
        assert!(e.contains("a folder"), "{e}");
        let dir = std::env::temp_dir().join(format!("rungs-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big.toml");
        std::fs::write(&f, vec![b'x'; 101]).unwrap();
        assert!(
            read_bounded(&f, 100, "scenario file")
                .unwrap_err()
                .contains("larger")
        );
        assert_eq!(read_bounded(&f, 101, "scenario file").unwrap().len(), 101);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
