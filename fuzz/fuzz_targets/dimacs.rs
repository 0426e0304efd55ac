//! `dimacs`: see `koppel::harness::dimacs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| koppel::harness::dimacs(data));
