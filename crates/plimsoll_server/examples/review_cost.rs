//! CPU cost of one admission review without the network: decode, evaluate, encode.
//!
//! `cargo run --release -p plimsoll_server --example review_cost [-- REVIEW.json [ITERATIONS]]`
//! (default body: bench/webhook/frontend-review.json).

use std::time::Instant;

use plimsoll_server::admission::decode;
use plimsoll_server::{Policy, Reviewer};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/webhook/frontend-review.json"
        )
        .into()
    });
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let body = std::fs::read(&path).expect("review body");
    let reviewer = Reviewer::with_all_rules(Policy::default());

    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(decode(&body).unwrap());
    }
    let decode_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    let req = decode(&body).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(reviewer.review(&req));
    }
    let review_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    let v = reviewer.review(&req);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(serde_json::to_vec(&v.response).unwrap());
    }
    let encode_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "{} bytes, {} rules, outcome {}: decode {decode_us:.1} us, review {review_us:.1} us, encode {encode_us:.1} us",
        body.len(),
        plimsoll_rules::registry::all().len(),
        v.outcome.as_str()
    );
}
