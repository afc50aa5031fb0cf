//! report.xlsx: one sheet per CSV, numbers as numbers, and native charts.

use super::{Error, Folder, Options};

/// The workbook's bytes.
pub fn workbook(_folder: &Folder, _o: &Options) -> Result<Vec<u8>, Error> {
    Err(Error::Io("not yet".into()))
}
