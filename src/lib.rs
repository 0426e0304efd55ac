//! The file formats of the `koppel` command line as a library, so that fuzz targets and tests
//! reach the same parsers the binary uses: data directories (CSV reference tables, JSON Lines
//! records, the policy TOML) in [`load`], and DIMACS min-cost-flow files in [`dimacs`].

pub mod dimacs;
pub mod load;
