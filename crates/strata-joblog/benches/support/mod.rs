//! Shared by the benchmarks: the fixture logs, and a 100 MB log assembled from them.
//! (A folder module, so that cargo does not take it for a benchmark of its own.)

use std::path::PathBuf;

/// Same lookup as the tests: `$STRATA_FIXTURES`, else `shared/fixtures` beside the checkout.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STRATA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/fixtures"
            ))
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: fixtures not found at {}", dir.display());
        None
    }
}

pub fn read(relative: &str) -> Option<Vec<u8>> {
    std::fs::read(fixtures_dir()?.join(relative)).ok()
}

/// Every log in traces/ and docker/, in a fixed order.
pub fn all_logs() -> Option<Vec<Vec<u8>>> {
    let dir = fixtures_dir()?;
    let mut paths = Vec::new();
    for sub in ["traces", "docker"] {
        for entry in std::fs::read_dir(dir.join(sub)).ok()? {
            let path = entry.ok()?.path();
            if path.extension().is_some_and(|e| e == "log") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).ok()).collect()
}

/// The fixtures repeated until `size` bytes, each copy followed by a newline.
pub fn assembled(size: usize) -> Option<Vec<u8>> {
    let logs = all_logs()?;
    let mut out = Vec::with_capacity(size + 4_000_000);
    while out.len() < size {
        for log in &logs {
            out.extend_from_slice(log);
            out.push(b'\n');
        }
    }
    out.truncate(size);
    Some(out)
}
