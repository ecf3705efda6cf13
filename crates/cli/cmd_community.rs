//! `charter community`: sets of member organisations that share a
//! collection's GREEN and AMBER objects.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Result;
use charter_hub::Viewer;
use serde_json::json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter community`.
#[derive(clap::Args, Debug)]
pub struct CommunityArgs {
    #[command(subcommand)]
    command: CommunityCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum CommunityCommand {
    /// Add a community and print its id.
    Add {
        /// Its name, unique on the node.
        name: String,
        /// A member organisation, by id or name (repeatable).
        #[arg(long = "member", value_name = "ORG")]
        members: Vec<String>,
    },
    /// List communities and their members.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove a community no collection belongs to.
    Remove {
        /// The community, by id or name.
        community: String,
    },
    /// Add an organisation to a community.
    AddMember {
        /// The community, by id or name.
        community: String,
        /// The organisation, by id or name.
        org: String,
    },
    /// Remove an organisation from a community.
    RemoveMember {
        /// The community, by id or name.
        community: String,
        /// The organisation, by id or name.
        org: String,
    },
}

/// Runs a `charter community` command.
pub fn run(args: &CommunityArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        match &args.command {
            CommunityCommand::Add { name, members } => {
                let record = hub.add_community(&op, name, members).await?;
                println!("{}", record.id);
            }
            CommunityCommand::List { json } => {
                let communities = hub.communities(&op).await?;
                let orgs: HashMap<String, String> = hub
                    .orgs(&op)
                    .await?
                    .into_iter()
                    .map(|o| (o.id, o.name))
                    .collect();
                let name_of = |id: &String| orgs.get(id).cloned().unwrap_or_else(|| id.clone());
                if *json {
                    let list: Vec<_> = communities
                        .iter()
                        .map(|c| {
                            json!({
                                "id": c.id, "name": c.name, "members": c.members,
                                "member_names": c.members.iter().map(name_of).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    node::print_json(&json!(list))?;
                } else {
                    for c in &communities {
                        let names: Vec<String> = c.members.iter().map(name_of).collect();
                        println!("{}\t{}\t{}", c.id, c.name, names.join(", "));
                    }
                }
            }
            CommunityCommand::Remove { community } => {
                hub.remove_community(&op, community).await?;
                println!("removed community '{community}'");
            }
            CommunityCommand::AddMember { community, org } => {
                hub.set_community_member(&op, community, org, true).await?;
                println!("added '{org}' to community '{community}'");
            }
            CommunityCommand::RemoveMember { community, org } => {
                hub.set_community_member(&op, community, org, false).await?;
                println!("removed '{org}' from community '{community}'");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
