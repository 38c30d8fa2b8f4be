//! `strata analyze-log FILE|-`: the log analyser on its own, to answer "why was this job
//! slow?" from a saved log, with no database and no GitLab.

use std::{
    fs::File,
    io::{self, Read, Write},
    path::Path,
};

use anyhow::Context;

use strata_joblog::{Analyzer, JobAnalysis, render_text};

/// Read `path` (or standard input for `-`) in chunks and print the analysis.
pub fn run(path: &Path, json: bool) -> anyhow::Result<()> {
    let analysis = if path == Path::new("-") {
        analyze_reader(io::stdin().lock()).context("cannot read the log from standard input")?
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        analyze_reader(file).with_context(|| format!("cannot read {}", path.display()))?
    };
    let mut out = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &analysis)?;
        writeln!(out)?;
    } else {
        out.write_all(render_text(&analysis).as_bytes())?;
    }
    Ok(())
}

/// Stream any reader through the analyser; memory stays bounded whatever the log's size.
pub fn analyze_reader(mut reader: impl Read) -> io::Result<JobAnalysis> {
    let mut analyzer = Analyzer::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(analyzer.finish()),
            Ok(n) => analyzer.feed(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
