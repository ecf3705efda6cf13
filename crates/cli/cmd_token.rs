//! `charter token`: API tokens for machine clients (SIEM, SOAR, other
//! platforms), sent as `Authorization: Bearer <token>`.
//!
//! A token is shown once, when it is issued, and only its hash is kept; so
//! `token add` prints the token alone on standard output, for a script to
//! capture, and `token list` shows ids and dates, never secrets.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use charter_hub::{TokenRecord, Viewer};
use serde_json::json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Seconds in a day, for `--expires-days`.
const DAY_SECS: u64 = 86_400;
/// The longest lifetime `--expires-days` accepts (ten years).
const MAX_DAYS: u64 = 3_650;

/// Arguments of `charter token`.
#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum TokenCommand {
    /// Issue a token for a user and print it (shown once).
    Add {
        /// The user the token acts as.
        user: String,
        /// A label saying what the token is for.
        #[arg(long)]
        label: Option<String>,
        /// Days until the token expires [default: never].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_DAYS))]
        expires_days: Option<u64>,
    },
    /// List tokens (never their secrets).
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token; it is refused from the next request on.
    Revoke {
        /// The token's id (as `token list` shows it).
        id: String,
    },
}

fn state(t: &TokenRecord, now: i64) -> &'static str {
    if t.revoked {
        "revoked"
    } else if t.expires.is_some_and(|e| e <= now) {
        "expired"
    } else {
        "active"
    }
}

/// Runs a `charter token` command.
pub fn run(args: &TokenArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        match &args.command {
            TokenCommand::Add {
                user,
                label,
                expires_days,
            } => {
                let lifetime = expires_days.map(|d| Duration::from_secs(d * DAY_SECS));
                let (record, token) = hub.add_token(&op, user, label.clone(), lifetime).await?;
                eprintln!("issued token {} for '{user}'; it is shown once:", record.id);
                println!("{token}");
            }
            TokenCommand::List { user, json } => {
                let tokens = hub.tokens(&op, user.as_deref()).await?;
                let now = now_micros();
                if *json {
                    let list: Vec<_> = tokens
                        .iter()
                        .map(|t| {
                            json!({
                                "id": t.id, "user": t.username, "label": t.label,
                                "created": node::rfc3339(t.created),
                                "expires": t.expires.map(node::rfc3339),
                                "revoked": t.revoked, "state": state(t, now),
                            })
                        })
                        .collect();
                    node::print_json(&json!(list))?;
                } else {
                    for t in &tokens {
                        let expires = t.expires.map_or_else(|| "never".to_owned(), node::rfc3339);
                        println!(
                            "{}\t{}\t{}\t{}\texpires {expires}\t{}",
                            t.id,
                            t.username,
                            state(t, now),
                            node::rfc3339(t.created),
                            t.label.as_deref().unwrap_or("-"),
                        );
                    }
                }
            }
            TokenCommand::Revoke { id } => {
                hub.revoke_token(&op, id).await?;
                println!("revoked token {id}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}
