//! `http_query`: see `koppel::harness::http::Http::query`. One service for the whole run.
#![no_main]

use std::sync::OnceLock;

static HTTP: OnceLock<koppel::harness::http::Http> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    HTTP.get_or_init(koppel::harness::http::Http::start)
        .query(data)
});
