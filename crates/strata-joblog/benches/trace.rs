//! Throughput of the analyser against a baseline that only counts newlines with
//! `memchr::memchr_iter` over the same bytes — the cheapest possible pass over a
//! log, so the ratio says how close the analyser gets to "just reading it".
//!
//! `cargo bench --bench trace`

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_joblog::{Analyzer, analyze};

// Each benchmark uses part of the shared helpers.
#[allow(dead_code)]
mod support;

fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

fn analyze_streaming(bytes: &[u8]) -> usize {
    let mut analyzer = Analyzer::new();
    for chunk in bytes.chunks(64 * 1024) {
        analyzer.feed(chunk);
    }
    analyzer.finish().sections.len()
}

fn throughput(c: &mut Criterion) {
    let Some(log5) = support::read("traces/gitlab-runner_corpus_log-5.log") else {
        return;
    };
    let Some(assembled) = support::assembled(100_000_000) else {
        return;
    };
    let inputs = [
        ("log-5 (2.8 MB, real)", &log5, 100, 5),
        ("assembled (100 MB)", &assembled, 10, 20),
    ];
    for (name, bytes, samples, seconds) in inputs {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(seconds));
        group.bench_function("baseline memchr newline count", |b| {
            b.iter(|| count_newlines(black_box(bytes)))
        });
        group.bench_function("analyze (one slice)", |b| {
            b.iter(|| analyze(black_box(bytes)))
        });
        group.bench_function("Analyzer::feed (64 KiB chunks)", |b| {
            b.iter(|| analyze_streaming(black_box(bytes)))
        });
        group.finish();
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
