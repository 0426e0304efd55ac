//! `koppel serve`, `koppel token` and `koppel audit`: thin shells over `koppel-server`.

use crate::cli::{RoleArg, TokenAction, DEFAULT_DATA};
use crate::load::{self, Source};
use anyhow::{anyhow, bail, Context, Result};
use koppel_server::state::Limits;
use koppel_server::store::{sqlite, Role};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `koppel serve` was asked.
pub struct Options {
    pub addr: SocketAddr,
    pub db: PathBuf,
    pub data: Option<PathBuf>,
    pub concurrency: usize,
    pub rate_limit: u32,
    pub read_timeout: f64,
}

/// Environment variable with the pseudonym key; without it a key is made once per database.
const KEY_VAR: &str = "KOPPEL_PSEUDONYM_KEY";

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Logs to stderr through a background writer, so that a slow terminal or a full pipe never
/// stalls a request. The guard flushes what is left when the server stops.
fn init_logs(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let ansi = std::io::stderr().is_terminal();
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let filter = EnvFilter::try_from_env("KOPPEL_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    if json {
        b.json().init();
    } else {
        b.init();
    }
    guard
}

pub fn run(o: Options, log_json: bool) -> Result<ExitCode> {
    let _logs = init_logs(log_json);
    anyhow::ensure!(o.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(
        o.read_timeout.is_finite() && (0.1..=600.0).contains(&o.read_timeout),
        "--read-timeout must be between 0.1 and 600 seconds"
    );
    let source = match &o.data {
        Some(d) => Source::resolve(d, true)?,
        None => Source::resolve(Path::new(DEFAULT_DATA), false)?,
    };
    let config = koppel_server::Config {
        addr: o.addr,
        db: o.db.clone(),
        limits: Limits {
            concurrency: o.concurrency,
            rate_per_token: o.rate_limit,
            read_timeout: std::time::Duration::from_secs_f64(o.read_timeout),
            ..Limits::default()
        },
        pseudonym_key: std::env::var(KEY_VAR)
            .map(String::into_bytes)
            .unwrap_or_default(),
    };
    let seed = move || load::seed(&source).map_err(|e| format!("{e:#}"));
    runtime()?
        .block_on(koppel_server::serve(config, seed, |addr| {
            // One line on stdout, for scripts and tests that start the server on port 0.
            println!("koppel: listening on http://{addr}");
        }))
        .map_err(|e| anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Advisor => Role::Advisor,
        RoleArg::EmployerDesk => Role::EmployerDesk,
        RoleArg::Analyst => Role::Analyst,
        RoleArg::Admin => Role::Admin,
    }
}

pub fn token(action: TokenAction) -> Result<ExitCode> {
    let rt = runtime()?;
    match action {
        TokenAction::Create {
            db,
            role: r,
            region,
            employer,
        } => {
            let role = role(r);
            match role {
                Role::Advisor if region.is_empty() => {
                    bail!("an advisor token needs --region (the regions whose learners it may see)")
                }
                Role::EmployerDesk if employer.is_empty() => {
                    bail!("an employer_desk token needs --employer (the employers whose vacancies it manages)")
                }
                Role::Advisor | Role::EmployerDesk => {}
                _ if !region.is_empty() || !employer.is_empty() => {
                    bail!("only advisor tokens take --region and only employer_desk tokens take --employer")
                }
                _ => {}
            }
            let (id, secret) = rt.block_on(async {
                let pool = sqlite::open_pool(&db, 1).await?;
                let known =
                    koppel_server::store::sqlite::check_scope(&pool, &region, &employer).await?;
                if let Err(msg) = known {
                    return Err(koppel_server::store::StoreError::Backend(msg));
                }
                sqlite::create_token(&pool, role, &region, &employer).await
            })?;
            eprintln!(
                "koppel: token {id} ({}) created; it is shown once, store it now:",
                role.as_str()
            );
            outln!("{secret}");
        }
        TokenAction::Revoke { db, id } => {
            let done = rt.block_on(async {
                let pool = sqlite::open_pool(&db, 1).await?;
                sqlite::revoke_token(&pool, id).await
            })?;
            if !done {
                return Err(koppel::Invalid(format!(
                    "no active token with id {id} in {}",
                    db.display()
                ))
                .into());
            }
            eprintln!("koppel: token {id} revoked");
        }
        TokenAction::List { db } => {
            let tokens = rt.block_on(async {
                let pool = sqlite::open_pool(&db, 1).await?;
                sqlite::list_tokens(&pool).await
            })?;
            for t in tokens {
                outln!("{}", serde_json::to_string(&t)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn audit(db: &Path, learner: Option<&str>, json: bool) -> Result<ExitCode> {
    anyhow::ensure!(db.exists(), "no database at {}", db.display());
    let rows = runtime()?.block_on(async {
        let pool = sqlite::open_pool(db, 1).await?;
        sqlite::audit_log(&pool, learner).await
    })?;
    for r in rows {
        if json {
            outln!("{}", serde_json::to_string(&r)?);
        } else {
            outln!(
                "{}  token {:>3} ({:<13})  {:<6}  {:<10} {:<12}  {}",
                r.at,
                r.token_id,
                r.role,
                r.action,
                r.record_kind,
                r.record_id,
                r.route
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn db_check(db: &Path) -> Result<ExitCode> {
    anyhow::ensure!(db.exists(), "no database at {}", db.display());
    let problems = runtime()?.block_on(async {
        let pool = sqlite::open_pool(db, 1).await?;
        sqlite::check_database(&pool).await
    })?;
    if problems.is_empty() {
        outln!("ok");
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        outln!("{p}");
    }
    Ok(ExitCode::from(1))
}
