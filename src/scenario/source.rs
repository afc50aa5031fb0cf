//! A scenario as a command runs it: the file read once (the bytes hashed into a manifest are
//! the bytes that were loaded, even if the file changes while rungs runs), loaded, and the
//! `--set` overrides applied.

use std::path::Path;

use crate::diag::Diagnostics;
use crate::scenario::Model;

/// `--set` overrides as parsed: parameter id and value, in the order given (a parameter
/// given twice keeps its last value, in its last place).
pub type Overrides = Vec<(String, f64)>;

/// A scenario file loaded for a command.
#[derive(Debug)]
pub struct Loaded {
    /// The model, with the overrides applied.
    pub model: Model,
    /// The file's bytes, as read (for the manifest's hash and the shards' copy).
    pub bytes: Vec<u8>,
    /// The warnings `rungs validate` would print (possibly none).
    pub warnings: Diagnostics,
    /// The overrides, as parsed.
    pub overrides: Overrides,
}

/// Why a scenario could not be loaded for a command.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read (missing, not a regular file, too large).
    Read(String),
    /// The file has errors.
    Scenario(Box<Diagnostics>),
    /// An override is not `NAME=VALUE` with a parameter and a finite number.
    Override(String),
}

/// Reads, loads and checks the scenario in `path`, then applies the overrides `sets`
/// (`NAME=VALUE`, as `--set` gives them).
pub fn load_with_overrides(path: &Path, sets: &[String]) -> Result<Loaded, LoadError> {
    let bytes = crate::input::read_bounded(
        path,
        crate::scenario::load::MAX_FILE_BYTES as u64,
        "scenario file",
    )
    .map_err(LoadError::Read)?;
    let (mut model, warnings) = crate::scenario::load_bytes(&path.display().to_string(), &bytes)
        .map_err(|d| LoadError::Scenario(Box::new(d)))?;
    let overrides = parse_overrides(&model, sets).map_err(LoadError::Override)?;
    for (name, value) in &overrides {
        if let Some(i) = model.param_index(name) {
            model.set_param(i, *value);
        }
    }
    Ok(Loaded {
        model,
        bytes,
        warnings,
        overrides,
    })
}

/// Parses `NAME=VALUE` overrides against the model's parameters.
pub fn parse_overrides(model: &Model, sets: &[String]) -> Result<Overrides, String> {
    let mut out: Overrides = Vec::new();
    for s in sets {
        let Some((name, value)) = s.split_once('=') else {
            return Err(format!("--set takes NAME=VALUE, got `{s}`"));
        };
        let name = name.trim();
        if model.param_index(name).is_none() {
            return Err(model.unknown_param(name, "--set"));
        }
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("--set {name}: `{value}` is not a number"))?;
        out.retain(|(n, _)| n != name);
        out.push((name.to_string(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_checked_and_the_last_one_wins() {
        let (model, _) = crate::scenario::load_str(
            "t.toml",
            "[scenario]\nname = \"t\"\nhorizon = 1\n[parameters]\np = 0.5\nq = 0.1\n[[steps]]\nid = \"a\"\nprobability = \"p * q\"\n",
        )
        .expect("loads");
        let sets = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_overrides(&model, &sets(&["p=0.2", "q = 0.3", "p=0.4"])),
            Ok(vec![("q".to_string(), 0.3), ("p".to_string(), 0.4)])
        );
        assert!(
            parse_overrides(&model, &sets(&["p"]))
                .unwrap_err()
                .contains("NAME=VALUE")
        );
        assert!(
            parse_overrides(&model, &sets(&["x=1"]))
                .unwrap_err()
                .contains("no parameter `x`")
        );
        assert!(
            parse_overrides(&model, &sets(&["p=inf"]))
                .unwrap_err()
                .contains("not a number")
        );
    }
}
