//! `koppel report`: an allocation's `summary.json` rendered as a self-contained HTML fairness
//! report (optionally beside a second allocation), written atomically.

use anyhow::{bail, Context as _, Result};
use koppel_core::allocate::report::fairness::four_fifths;
use koppel_core::allocate::report::{protect, Summary};
use koppel_report::Lang;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads the summary of `koppel allocate --out DIR`, as it may be published (a file from
/// before the disclosure rule is protected on the way in).
pub fn read_summary(dir: &Path) -> Result<Summary> {
    if !dir.is_dir() {
        bail!(
            "allocation directory `{}` does not exist; pass the --out DIR of `koppel allocate`",
            dir.display()
        );
    }
    let file = dir.join("summary.json");
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "cannot read {}; is `{}` the output of `koppel allocate --out DIR`?",
            file.display(),
            dir.display()
        )
    })?;
    let de = &mut serde_json::Deserializer::from_str(&text);
    let raw: Summary = serde_path_to_error::deserialize(de).with_context(|| {
        koppel::Invalid(format!(
            "{} is not a valid allocation summary",
            file.display()
        ))
    })?;
    Ok(protect(&raw))
}

/// Writes `bytes` to `out` through a temporary file in the same directory and a rename, so
/// that a reader never sees half a report.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<()> {
    let name = out
        .file_name()
        .with_context(|| format!("--out `{}` is not a file name", out.display()))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", out.display()))
}

/// Groups below four fifths of the best, over every grouping.
fn flagged(s: &Summary) -> usize {
    [
        &s.by_region,
        &s.by_school_type,
        &s.by_level,
        &s.by_kind,
        &s.by_support_need,
        &s.by_register,
        &s.by_at_risk,
        &s.by_age_band,
    ]
    .into_iter()
    .map(|g| four_fifths(g).iter().filter(|c| c.flagged).count())
    .sum()
}

pub fn run(allocation: &Path, compare: Option<&Path>, out: &Path, lang: Lang) -> Result<ExitCode> {
    let a = read_summary(allocation)?;
    let b = compare.map(read_summary).transpose()?;
    let html = koppel_report::render(&a, b.as_ref(), lang);
    write_atomically(out, html.as_bytes())?;
    let flags = match &b {
        None => format!("{} group(s) flagged by the four-fifths rule", flagged(&a)),
        Some(b) => format!(
            "{} group(s) flagged in A, {} in B by the four-fifths rule",
            flagged(&a),
            flagged(b)
        ),
    };
    let what = match compare {
        None => format!("{}", allocation.display()),
        Some(c) => format!("{} (A) and {} (B)", allocation.display(), c.display()),
    };
    outln!(
        "wrote {} ({} KiB): report of {what}; {flags}",
        out.display(),
        html.len().div_ceil(1024)
    );
    Ok(ExitCode::SUCCESS)
}
