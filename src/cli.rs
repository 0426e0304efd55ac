//! Command-line definition (clap). Parsing only: no I/O happens here.

use clap::{Args, Parser, Subcommand, ValueEnum};
use koppel_core::PlacementKind;
use std::path::PathBuf;

/// Koppel: explainable matching of young learners to internships, learn-work jobs (BBL) and
/// Banenafspraak jobs.
#[derive(Debug, Parser)]
#[command(name = "koppel", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The data directory and policy every reading command takes.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Data directory (see docs/data-format.md). Defaults to fixtures/demo, or the demo data
    /// built into the binary when that directory is not there.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Policy file (TOML); defaults to policy.toml in the data directory, else built-in weights.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Default data directory.
pub const DEFAULT_DATA: &str = "fixtures/demo";

/// Placement kind on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum KindArg {
    /// Internship (stage / BPV).
    Internship,
    /// Learn-work job (BBL).
    LearnWork,
    /// Banenafspraak job.
    Banenafspraak,
}

impl From<KindArg> for PlacementKind {
    fn from(k: KindArg) -> PlacementKind {
        match k {
            KindArg::Internship => PlacementKind::Internship,
            KindArg::LearnWork => PlacementKind::LearnWork,
            KindArg::Banenafspraak => PlacementKind::Banenafspraak,
        }
    }
}

/// Allocation mode on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    /// Maximum total score (exact).
    Optimal,
    /// Stable: learner-proposing deferred acceptance.
    Stable,
}

/// Report language on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    /// Dutch.
    Nl,
    /// English.
    En,
}

impl From<LangArg> for koppel_report::Lang {
    fn from(l: LangArg) -> koppel_report::Lang {
        match l {
            LangArg::Nl => koppel_report::Lang::Nl,
            LangArg::En => koppel_report::Lang::En,
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ranked placements for one learner, with the explanation of every score.
    Match {
        /// Learner id.
        #[arg(long)]
        learner: String,
        /// How many placements.
        #[arg(short = 'k', long = "top", default_value_t = 10)]
        k: usize,
        /// Only this placement kind.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Ranked anonymised candidates for one placement (what an employer desk may see).
    Candidates {
        /// Placement id.
        #[arg(long)]
        placement: String,
        /// How many candidates.
        #[arg(short = 'k', long = "top", default_value_t = 10)]
        k: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Explain one learner–placement pair: the score and its parts, or why it is not feasible.
    Explain {
        /// Learner id.
        #[arg(long)]
        learner: String,
        /// Placement id.
        #[arg(long)]
        placement: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a synthetic dataset in the documented format.
    Generate {
        /// Number of learners.
        #[arg(long, default_value_t = 400)]
        learners: usize,
        /// Number of placements.
        #[arg(long, default_value_t = 500)]
        placements: usize,
        /// Random seed; the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only put learners, placements and employers in these regions (comma-separated codes,
        /// e.g. `rijnmond,haaglanden`); all 35 regions stay in the reference tables.
        #[arg(long, value_delimiter = ',', value_name = "CODES")]
        regions: Vec<String>,
        /// Output directory (created if missing; existing data files are overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Allocate a whole cohort: every learner at most one placement, every placement at most its
    /// open places. Writes assignments.jsonl, unplaced.jsonl and summary.json to --out.
    Allocate {
        #[command(flatten)]
        data: DataArgs,
        /// optimal (maximum total score) or stable (no blocking pair).
        #[arg(long, value_enum, default_value = "optimal")]
        mode: ModeArg,
        /// Candidate placements per learner.
        #[arg(long, default_value_t = 32)]
        k: usize,
        /// Output directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write the cohort's graph as a DIMACS min-cost-flow file.
        #[arg(long, value_name = "FILE")]
        export_dimacs: Option<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Print the wall-clock seconds of each stage (load, candidates, solve, write) to stderr.
        #[arg(long)]
        timings: bool,
    },
    /// Render an allocation's summary as a self-contained HTML fairness report: placement rates
    /// per group with the four-fifths check, score and rank distributions, unplaced by reason.
    Report {
        /// The --out DIR of `koppel allocate` (reads DIR/summary.json).
        #[arg(long, value_name = "DIR")]
        allocation: PathBuf,
        /// A second allocation to show side by side (as B).
        #[arg(long, value_name = "DIR")]
        compare: Option<PathBuf>,
        /// The HTML file to write (replaced atomically).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Language of the report.
        #[arg(long, value_enum, default_value = "nl")]
        lang: LangArg,
    },
    /// Solve a DIMACS min-cost-flow file of Koppel's allocation layout exactly; prints `cost C`
    /// and `solve_s T`.
    SolveDimacs {
        /// The `.min` file.
        file: PathBuf,
    },
    /// Check every record of a data directory; report each problem with file, line and field.
    Validate {
        #[command(flatten)]
        data: DataArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the HTTP API on an embedded SQLite database. A new database is created, migrated
    /// and loaded with --data (or the demo data) on first start.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Database file (created if missing).
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
        /// Data loaded into a new, empty database (default: the demo data).
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Requests handled at once, service-wide; more are refused with 503.
        #[arg(long, default_value_t = 256)]
        concurrency: usize,
        /// Requests per second per token; bursts up to twice that; more get 429.
        #[arg(long, default_value_t = 200)]
        rate_limit: u32,
        /// Seconds a client may take to send a request head, and a caller without a valid
        /// token or session to send its whole request; slower ones are cut off.
        #[arg(long, default_value_t = 5.0, value_name = "SECS")]
        read_timeout: f64,
        /// Log as JSON lines instead of text.
        #[arg(long)]
        log_json: bool,
    },
    /// Check a service database file: SQLite integrity and foreign keys. Exit 1 on any problem.
    DbCheck {
        /// Database file.
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
    },
    /// Print the HTTP API's OpenAPI 3 document (as checked in at docs/openapi.json).
    Openapi,
    /// Create or revoke API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// List the audit log: who read or changed which record, when, through which route.
    Audit {
        /// Database file.
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
        /// Only entries about this learner.
        #[arg(long)]
        learner: Option<String>,
        /// Print JSON lines.
        #[arg(long)]
        json: bool,
    },
}

/// Role of a token on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    /// Advisor, bound to regions (--region).
    Advisor,
    /// Employer desk, bound to employers (--employer).
    EmployerDesk,
    /// Analyst: allocations and aggregates.
    Analyst,
    /// Admin: tokens, policies, outlook.
    Admin,
}

/// `koppel token …`
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once (only its hash is stored).
    Create {
        /// Database file.
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
        /// Role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Region codes an advisor serves (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        region: Vec<String>,
        /// Employer ids a desk serves (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        employer: Vec<String>,
    },
    /// Revoke a token by its id.
    Revoke {
        /// Database file.
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
        /// Token id (from `create` or `list`).
        id: i64,
    },
    /// List tokens (never their secrets).
    List {
        /// Database file.
        #[arg(long, default_value = "koppel.db", value_name = "FILE")]
        db: PathBuf,
    },
}
