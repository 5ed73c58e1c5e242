//! The `b2mms` command.

fn main() -> std::process::ExitCode {
    b2mms::cli::main()
}
