//! `plimsoll serve` without the CLI crate: `cargo run -p plimsoll_server --bin plimsoll-serve -- --self-signed`.
//! The end-to-end tests and the load benchmark run this binary.

use clap::Parser;
use plimsoll_server::cli::{ServeArgs, run};

#[derive(Parser)]
#[command(
    name = "plimsoll-serve",
    about = "Plimsoll's validating admission webhook"
)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn main() {
    let cli = Cli::parse();
    std::process::exit(run(&cli.serve));
}
