//! The file formats of the `koppel` command line as a library, so that fuzz targets and tests
//! reach the same parsers the binary uses: data directories (CSV reference tables, JSON Lines
//! records, the policy TOML) in [`load`], and DIMACS min-cost-flow files in [`dimacs`]; and
//! [`harness`], what the fuzz targets in `fuzz/` and the corpus replay in `tests/` run.

pub mod dimacs;
pub mod harness;
pub mod load;

/// An error caused by invalid input: data or a policy that does not validate, a file whose
/// content is not what the command reads, an id that is not in the data. The binary exits 1 on
/// it (2 for usage and I/O errors). Attach it as the context of an `anyhow` error, or return it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);
