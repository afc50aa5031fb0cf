//! TEMPORARY STUB: the infra branch owns this file.
use crate::scenario::Model;
/// Stub.
pub fn to_dot(_: &Model) -> String {
    String::new()
}
/// Stub.
pub fn to_mermaid(_: &Model) -> String {
    String::new()
}
