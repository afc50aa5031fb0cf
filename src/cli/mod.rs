//! The command line.

/// Parses the command line, runs the command, and returns the exit code.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
