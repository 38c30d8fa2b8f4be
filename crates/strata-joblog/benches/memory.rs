//! Peak heap use of the analyser does not depend on the size of the log.
//!
//! A counting global allocator records the peak of live heap bytes while logs of
//! 10 MB, 100 MB, 1 GB and 4 GB — the fixtures repeated, streamed in 64 KiB chunks as a
//! log arrives over HTTP — go through one `Analyzer`. The input itself is never
//! held in memory, so the peak is the analyser's own state plus its result.
//!
//! `cargo bench --bench memory`

use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicUsize, Ordering},
};

use strata_joblog::Analyzer;

// Each benchmark uses part of the shared helpers.
#[allow(dead_code)]
mod support;

struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper
// only counts sizes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const CHUNK: usize = 64 * 1024;

/// Streams `size` bytes of repeated fixtures through one analyser; returns the peak
/// of live heap bytes above what was live before it started.
fn peak_while_analysing(logs: &[Vec<u8>], size: usize) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let mut analyzer = Analyzer::new();
    let mut fed = 0;
    'outer: loop {
        for log in logs {
            for chunk in log.chunks(CHUNK) {
                let take = chunk.len().min(size - fed);
                analyzer.feed(&chunk[..take]);
                fed += take;
                if fed == size {
                    break 'outer;
                }
            }
        }
    }
    let analysis = analyzer.finish();
    let sections = analysis.sections.len();
    drop(analysis);
    (PEAK.load(Ordering::Relaxed) - before, sections)
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let Some(logs) = support::all_logs() else {
        return;
    };
    println!(
        "{:>12} {:>16} {:>10} {:>14}",
        "log size", "peak heap (KiB)", "sections", "VmHWM (KiB)"
    );
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this unoptimised
    // as a smoke test, where a small log is enough.
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let sizes: &[usize] = if measuring {
        &[10_000_000, 100_000_000, 1_000_000_000, 4_000_000_000]
    } else {
        &[1_000_000]
    };
    for &size in sizes {
        let (peak, sections) = peak_while_analysing(&logs, size);
        let hwm = vm_hwm_kib().map_or_else(|| "n/a".to_owned(), |kib| kib.to_string());
        println!(
            "{:>9} MB {:>16} {:>10} {:>14}",
            size / 1_000_000,
            peak / 1024,
            sections,
            hwm
        );
    }
}
