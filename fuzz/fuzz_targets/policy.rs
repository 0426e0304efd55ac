//! `policy`: see `koppel::harness::policy`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| koppel::harness::policy(data));
