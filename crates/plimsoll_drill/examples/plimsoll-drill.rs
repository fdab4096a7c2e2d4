//! A stand-alone `plimsoll-drill postgres ...`, the same flags and exit codes as
//! `plimsoll drill postgres` (used by bench/drill/run.sh).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use plimsoll_drill::cli::{PostgresArgs, run};

#[derive(Parser)]
#[command(
    name = "plimsoll-drill",
    version,
    about = "Restore drills (stand-alone)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Restore a PostgreSQL backup, verify it, measure RTO/RPO, write evidence.
    Postgres(PostgresArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Postgres(args) => ExitCode::from(u8::try_from(run(&args)).unwrap_or(2)),
    }
}
