//! `koppel`: the command-line shell around `koppel-core`. Parses arguments, loads files, calls
//! the engine, prints. Errors go to stderr prefixed `koppel:`; exit code 0 = ok, 1 = the data or
//! request is invalid (validation errors, unknown id), 2 = usage or I/O error.

mod cli;
mod commands;
mod render;

use koppel::{dimacs, load};

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("koppel: {e:#}");
            ExitCode::from(2)
        }
    }
}
