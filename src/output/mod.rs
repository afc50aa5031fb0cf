//! CSV writers.
