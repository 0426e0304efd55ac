//! One module per subcommand; each turns parsed arguments into engine calls and output.
//!
//! Output goes through [`out!`]/[`outln!`], which return write errors instead of panicking as
//! `println!` does, so that `koppel audit | head` ends quietly when `head` has read enough.

/// `print!` to stdout, returning the write error (`?`) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `println!` to stdout, returning the write error (`?`) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod allocate;
mod candidates;
mod generate;
mod matching;
mod report;
mod serve;
mod solve_dimacs;
mod validate;

use crate::cli::{Cli, Command, DataArgs, DEFAULT_DATA};
use crate::load::{self, Source};
use anyhow::Result;
use koppel_core::{Dataset, LearnerIdx, PlacementIdx, PolicySet};
use std::path::Path;
use std::process::ExitCode;

/// An [`koppel::Invalid`] error (exit 1) from a format string.
macro_rules! invalid {
    ($($arg:tt)*) => {
        anyhow::Error::new(koppel::Invalid(format!($($arg)*)))
    };
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Match {
            learner,
            k,
            kind,
            json,
            data,
        } => {
            let ctx = Context::open(&data)?;
            matching::run_match(&ctx, &learner, k, kind.map(Into::into), json)
        }
        Command::Explain {
            learner,
            placement,
            json,
            data,
        } => {
            let ctx = Context::open(&data)?;
            matching::run_explain(&ctx, &learner, &placement, json)
        }
        Command::Candidates {
            placement,
            k,
            json,
            data,
        } => {
            let ctx = Context::open(&data)?;
            candidates::run(&ctx, &placement, k, json)
        }
        Command::Generate {
            learners,
            placements,
            seed,
            regions,
            out,
        } => generate::run(learners, placements, seed, &regions, &out),
        Command::Validate { data, json } => validate::run(&data, json),
        Command::Allocate {
            data,
            mode,
            k,
            out,
            export_dimacs,
            json,
            timings,
        } => allocate::run(
            &data,
            mode,
            k,
            &out,
            export_dimacs.as_deref(),
            allocate::Report { json, timings },
        ),
        Command::Report {
            allocation,
            compare,
            out,
            lang,
        } => report::run(&allocation, compare.as_deref(), &out, lang.into()),
        Command::SolveDimacs { file } => solve_dimacs::run(&file),
        Command::Serve {
            addr,
            db,
            data,
            concurrency,
            rate_limit,
            read_timeout,
            log_json,
        } => serve::run(
            serve::Options {
                addr,
                db,
                data,
                concurrency,
                rate_limit,
                read_timeout,
            },
            log_json,
        ),
        Command::Token { action } => serve::token(action),
        Command::DbCheck { db } => serve::db_check(&db),
        Command::Openapi => {
            outln!("{}", koppel_server::routes::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { db, learner, json } => serve::audit(&db, learner.as_deref(), json),
    }
}

/// The data source a command reads.
pub fn source_of(args: &DataArgs) -> Result<Source> {
    match &args.data {
        Some(d) => Source::resolve(d, true),
        None => Source::resolve(Path::new(DEFAULT_DATA), false),
    }
}

/// A loaded, validated dataset with its policies.
pub struct Context {
    pub data: Dataset,
    pub policies: PolicySet,
}

impl Context {
    fn open(args: &DataArgs) -> Result<Context> {
        let source = source_of(args)?;
        let data = load::dataset(&source)?;
        let policies = load::policies(&source, args.policy.as_deref(), &data)?;
        Ok(Context { data, policies })
    }

    fn learner(&self, id: &str) -> Result<LearnerIdx> {
        self.data.learner_idx(id).ok_or_else(|| {
            invalid!(
                "no learner with id `{id}` in the data (ids look like {})",
                example(self.data.learners.first().map(|l| l.id.as_str()))
            )
        })
    }

    fn placement(&self, id: &str) -> Result<PlacementIdx> {
        self.data.placement_idx(id).ok_or_else(|| {
            invalid!(
                "no placement with id `{id}` in the data (ids look like {})",
                example(self.data.placements.first().map(|p| p.id.as_str()))
            )
        })
    }
}

fn example(id: Option<&str>) -> String {
    id.map_or("… (the file is empty)".to_owned(), |s| format!("`{s}`"))
}
