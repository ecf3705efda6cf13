//! `charter serve`: runs the TAXII 2.1 server over the data folder. When the configured
//! warning lists are not those the stored flags were computed with, the flags are
//! recomputed in the background while the server answers.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use charter_hub::{Hub, Reflag};
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat, NodeArgs};
use crate::node;

/// Arguments of `charter serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free port [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    node: NodeArgs,
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Runs the server until interrupted (Ctrl-C or SIGTERM).
pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, args.listen)?;
    init_logging(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(config))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config) -> Result<()> {
    let (hub, generated) = node::open(&config).await?;
    let mut stdout = std::io::stdout();
    if let Some(password) = generated {
        writeln!(stdout, "Created user 'admin' with password: {password}")?;
        writeln!(
            stdout,
            "(shown once; set CHARTER_ADMIN_PASSWORD to choose it)"
        )?;
    }
    if hub
        .warnings_stale()
        .await
        .context("reading the warning-list record")?
    {
        spawn_reflag(hub.clone());
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(%addr, data = %config.data.display(), database = %config.database, "listening");
    writeln!(stdout, "Charter listening on http://{addr}")?;
    stdout.flush()?;
    charter_server::serve(listener, hub, shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("stopped");
    Ok(())
}

/// Re-flags the stored indicator versions against the configured warning lists in the
/// background, logging as each collection is done. Requests are served meanwhile; until
/// it finishes, versions stored before the lists changed keep their old flags.
fn spawn_reflag(hub: Hub) {
    tokio::spawn(async move {
        let logged = AtomicUsize::new(usize::MAX);
        let progress = |p: Reflag| {
            if logged.swap(p.collections_done, Ordering::Relaxed) != p.collections_done {
                tracing::info!(
                    collections = p.collections,
                    done = p.collections_done,
                    checked = p.checked,
                    changed = p.changed,
                    "re-flagging indicator versions against the warning lists"
                );
            }
        };
        if let Err(e) = hub.reflag_warnings(&progress).await {
            tracing::error!(error = %e, "re-flagging against the warning lists failed; it runs again at the next start");
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
