//! `strata export KIND [filters] [-o FILE]`: the CSV reports of `/export/KIND.csv`, from the
//! same producer, written to stdout or to a file that is replaced only when complete.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use futures::StreamExt;
use strata_core::read::project;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{
    cli::{ExportArgs, GlobalArgs},
    config,
    export::{self, Export, Kind, Scope},
};
use strata_core::db;

pub async fn run(global: &GlobalArgs, args: &ExportArgs) -> anyhow::Result<()> {
    let kind = Kind::from_slug(&args.kind).ok_or_else(|| {
        anyhow!(
            "unknown export `{}`: use one of {}",
            args.kind,
            Kind::list()
        )
    })?;
    let scope = Scope::from_pairs(Some(kind), args.filter_pairs())
        .map_err(|e| anyhow!("invalid --{}: {}", e.param, e.reason))?;
    let url = config::database_url(global)?;
    let db = db::open(&url).await?;
    if let Some(id) = scope.filters.project
        && project::project(&db, id)
            .await
            .context("while looking up the project")?
            .is_none()
    {
        bail!("no project with id {id} in {url}");
    }
    let export = Export { kind, scope };
    let written = match &args.output {
        Some(path) => write_file(&db, export, path).await,
        None => write_all(&db, export, &mut tokio::io::stdout()).await,
    };
    db.close().await;
    let bytes = written?;
    if let Some(path) = &args.output {
        eprintln!("wrote {bytes} bytes of {kind} to {}", path.display());
    }
    Ok(())
}

/// Write to `PATH.partial` and rename once complete, so a failed export never leaves a
/// truncated report where a good one was.
async fn write_file(db: &strata_core::db::Db, export: Export, path: &Path) -> anyhow::Result<u64> {
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let mut file = tokio::fs::File::create(&partial)
        .await
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let written = write_all(db, export, &mut file).await;
    match written {
        Ok(bytes) => {
            file.sync_all().await.context("while saving the export")?;
            tokio::fs::rename(&partial, path)
                .await
                .with_context(|| format!("cannot move the export to {}", path.display()))?;
            Ok(bytes)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Err(e)
        }
    }
}

async fn write_all(
    db: &strata_core::db::Db,
    export: Export,
    out: &mut (impl AsyncWrite + Unpin),
) -> anyhow::Result<u64> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut chunks = export::start(db.clone(), export, now_ms);
    let mut bytes = 0;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.context("while exporting")?;
        out.write_all(&chunk)
            .await
            .context("while writing the export")?;
        bytes += chunk.len() as u64;
    }
    out.flush().await.context("while writing the export")?;
    Ok(bytes)
}
