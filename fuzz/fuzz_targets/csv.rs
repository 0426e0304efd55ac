//! `csv`: see `koppel::harness::csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| koppel::harness::csv(data));
