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
        Err(e) => exit(&e),
    }
}

/// The exit code of an error (after printing it): a reader that went away (`koppel audit |
/// head`) ends the command quietly with 0, as ripgrep does; invalid input is 1; anything else
/// (I/O, usage) 2.
fn exit(e: &anyhow::Error) -> ExitCode {
    let broken_pipe = e
        .chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("koppel: {e:#}");
    if e.downcast_ref::<koppel::Invalid>().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}
