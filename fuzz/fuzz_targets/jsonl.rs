//! `jsonl`: see `koppel::harness::jsonl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| koppel::harness::jsonl(data));
