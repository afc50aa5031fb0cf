//! Addressed random numbers.
