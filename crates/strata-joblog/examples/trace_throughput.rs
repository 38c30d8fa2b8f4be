//! Interleaved throughput comparison for a shared, noisy machine: each round times
//! the newline-count baseline and then the analyser on the same bytes, and the
//! median of the per-round ratios is reported (a slow round slows both sides).
//!
//! `cargo run --release -p strata-joblog --example trace_throughput`

use std::{hint::black_box, time::Instant};

#[allow(dead_code)] // the benchmarks use other parts of it
#[path = "../benches/support/mod.rs"]
mod support;

const ROUNDS: usize = 41;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn compare(name: &str, log: &[u8]) {
    let repetitions = (200_000_000 / log.len().max(1)).clamp(1, 200);
    let (mut baseline, mut analyser, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut sink = 0usize;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..repetitions {
            sink = sink.wrapping_add(memchr::memchr_iter(b'\n', black_box(log)).count());
        }
        let base = started.elapsed().as_secs_f64() / repetitions as f64;
        let started = Instant::now();
        for _ in 0..repetitions {
            sink = sink.wrapping_add(strata_joblog::analyze(black_box(log)).sections.len());
        }
        let analysed = started.elapsed().as_secs_f64() / repetitions as f64;
        baseline.push(base);
        analyser.push(analysed);
        ratios.push(base / analysed);
    }
    let (base, analysed, ratio) = (
        median(&mut baseline),
        median(&mut analyser),
        median(&mut ratios),
    );
    let megabytes_per_second = |seconds: f64| log.len() as f64 / seconds / 1e6;
    println!(
        "{name:<22} baseline {:>10.1} µs {:>7.0} MB/s | analyser {:>10.1} µs {:>7.0} MB/s | median ratio {ratio:.3}  ({sink})",
        base * 1e6,
        megabytes_per_second(base),
        analysed * 1e6,
        megabytes_per_second(analysed),
    );
}

fn main() {
    let (Some(log5), Some(assembled)) = (
        support::read("traces/gitlab-runner_corpus_log-5.log"),
        support::assembled(100_000_000),
    ) else {
        return;
    };
    compare("log-5 (2.8 MB)", &log5);
    compare("assembled (100 MB)", &assembled);
}
