//! Reading a scenario file into text: bounded in size, and UTF-8 (a binary or Latin-1 file
//! is refused at its first bad byte).

use std::path::Path;

use super::limits::MAX_FILE_BYTES;
use super::load_str;
use crate::diag::{Diagnostic, Diagnostics};
use crate::scenario::Model;

/// Loads, checks and compiles the scenario in `path`. On success returns the model and the
/// warnings (possibly none); on failure the diagnostics (at least one error). Never panics.
pub fn load_file(path: &Path) -> Result<(Model, Diagnostics), Diagnostics> {
    let file = path.display().to_string();
    match crate::input::read_bounded(path, MAX_FILE_BYTES as u64, "scenario file") {
        Ok(bytes) => load_bytes(&file, &bytes),
        Err(e) => {
            let mut d = Diagnostics::new(file, "");
            d.push(Diagnostic::error(0..0, e));
            Err(d)
        }
    }
}

/// Like [`load_file`] for the bytes of a file already read (once, and not copied: the caller
/// hashes the same bytes it loads); `file` is the name used in messages.
pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<(Model, Diagnostics), Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(file, text),
        Err(e) => {
            let at = e.valid_up_to();
            // Show the text up to the first bad byte (then a replacement character under the
            // caret), not the rest: a binary file would fill the terminal with noise.
            let mut text = String::from_utf8_lossy(&bytes[..at]).into_owned();
            text.push(char::REPLACEMENT_CHARACTER);
            let mut d = Diagnostics::new(file, text);
            d.push(
                Diagnostic::error(at..at, "the file is not valid UTF-8 text")
                    .with_hint("TOML files must be UTF-8; save the file as UTF-8"),
            );
            Err(d)
        }
    }
}
