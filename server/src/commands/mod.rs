//! One function per subcommand.

pub mod analyze_log;
mod credentials;
mod demo;
mod export;
mod sync;

use crate::{
    cli::{Cli, Command},
    config::{self, Settings},
    startup::{Application, shutdown_signal},
};
use strata_core::db;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(args) => {
            let settings = Settings::from_serve_args(&cli.global, args)?;
            let app = Application::build(settings).await?;
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Migrate => {
            let url = config::database_url(&cli.global)?;
            let db = db::open(&url).await?;
            db.close().await;
            eprintln!("database {url} is up to date");
            Ok(())
        }
        Command::Export(args) => export::run(&cli.global, args).await,
        Command::AnalyzeLog(args) => analyze_log::run(&args.file, args.json),
        Command::Sync(args) => sync::run(&cli.global, args).await,
        Command::Demo(args) => demo::run(&cli.global, args).await,
        Command::HashPassword => credentials::hash_password(),
        Command::NewToken { name } => credentials::new_token(name),
    }
}
