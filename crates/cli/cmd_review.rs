//! `charter review`: the privacy review queue, for the node's reviewers.
//!
//! Objects whose findings the privacy policy sends to review are held out
//! of their collection until a decision here (or through the JSON API):
//! `approve` releases the proposed form, `redact` releases it with every
//! finding and each `--text` redacted, `reject` never releases it and gives
//! the submitter the reason in its status. Every decision is recorded in the
//! release record. The command acts as the node operator (a node
//! administrator), or as the reviewer named with `--as`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use charter_hub::{Decision, Review, Viewer};
use charter_server::review_format::review_json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter review`.
#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
    #[command(subcommand)]
    command: ReviewCommand,
    /// Act as this user (a reviewer) rather than the node operator.
    #[arg(long = "as", value_name = "USER", global = true)]
    as_user: Option<String>,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum ReviewCommand {
    /// List held objects (with `--all`, decided ones too).
    List {
        /// Include decided reviews.
        #[arg(long)]
        all: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one review with both forms of the object and the findings.
    Show {
        /// The review's id.
        id: String,
    },
    /// Release the proposed form.
    Approve {
        /// The review's id.
        id: String,
        /// A note for the record.
        #[arg(long)]
        note: Option<String>,
    },
    /// Release the proposal with every finding redacted.
    Redact {
        /// The review's id.
        id: String,
        /// Also redact this literal text wherever it appears (repeatable).
        #[arg(long = "text", value_name = "TEXT")]
        texts: Vec<String>,
        /// A note for the record.
        #[arg(long)]
        note: Option<String>,
    },
    /// Never release; the note is the reason the submitter sees.
    Reject {
        /// The review's id.
        id: String,
        /// Why (required).
        #[arg(long)]
        note: String,
    },
}

fn line(review: &Review) -> String {
    let kinds: Vec<&str> = review
        .findings
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|f| f.get("kind").and_then(|k| k.as_str()))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        review.id,
        review.state,
        review.object_id,
        review.submitted_by,
        review.submitted_at.as_str(),
        kinds.join(",")
    )
}

/// Runs a `charter review` command.
pub fn run(args: &ReviewArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        let viewer = match &args.as_user {
            Some(user) => hub.viewer_as(&op, user).await?,
            None => op,
        };
        let decide = |id: &str, decision: Decision, note: Option<String>| {
            let (hub, viewer, id) = (hub.clone(), viewer.clone(), id.to_owned());
            async move { hub.decide_review(&viewer, &id, decision, note).await }
        };
        let decided = match &args.command {
            ReviewCommand::List { all, json } => {
                let reviews = hub.reviews(&viewer, !all).await?.into_inner();
                if *json {
                    let list: Vec<_> = reviews.iter().map(review_json).collect();
                    node::print_json(&serde_json::Value::Array(list))?;
                } else {
                    for review in &reviews {
                        println!("{}", line(review));
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            ReviewCommand::Show { id } => {
                let review = hub.review(&viewer, id).await?.into_inner();
                node::print_json(&review_json(&review))?;
                return Ok(ExitCode::SUCCESS);
            }
            ReviewCommand::Approve { id, note } => {
                decide(id, Decision::Approve, note.clone()).await?
            }
            ReviewCommand::Redact { id, texts, note } => {
                decide(id, Decision::Redact(texts.clone()), note.clone()).await?
            }
            ReviewCommand::Reject { id, note } => {
                if note.trim().is_empty() {
                    bail!("--note: a rejection needs a reason, which the submitter sees");
                }
                decide(id, Decision::Reject, Some(note.clone())).await?
            }
        };
        let review = decided.into_inner();
        println!("{} {}: {}", review.id, review.state, review.object_id);
        Ok(ExitCode::SUCCESS)
    })
}
