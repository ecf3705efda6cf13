//! `charter collection`: the collections of an API root, each with its
//! community, the TLP level of unmarked objects, and whether it is public.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Result;
use charter_hub::admin::{DEFAULT_API_ROOT, NewCollection};
use charter_hub::{TlpLevel, Viewer};
use serde_json::json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter collection`.
#[derive(clap::Args, Debug)]
pub struct CollectionArgs {
    #[command(subcommand)]
    command: CollectionCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum CollectionCommand {
    /// Add a collection and print its id.
    Add {
        /// Title.
        #[arg(long)]
        title: String,
        /// Alias, unique within the API root.
        #[arg(long)]
        alias: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// The community it belongs to, by id or name.
        #[arg(long)]
        community: Option<String>,
        /// The TLP level of objects that carry no TLP marking.
        #[arg(long, default_value = "amber", value_parser = parse_tlp)]
        default_tlp: TlpLevel,
        /// Let any member of the node read its CLEAR objects.
        #[arg(long)]
        public: bool,
        /// The API root.
        #[arg(long, default_value = DEFAULT_API_ROOT)]
        api_root: String,
    },
    /// List collections.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The API root.
        #[arg(long, default_value = DEFAULT_API_ROOT)]
        api_root: String,
    },
    /// Remove an empty collection.
    Remove {
        /// The collection, by id or alias.
        collection: String,
        /// The API root.
        #[arg(long, default_value = DEFAULT_API_ROOT)]
        api_root: String,
    },
}

fn parse_tlp(text: &str) -> Result<TlpLevel, String> {
    TlpLevel::parse(text)
        .ok_or_else(|| format!("'{text}': use clear, green, amber, amber+strict or red"))
}

/// Runs a `charter collection` command.
pub fn run(args: &CollectionArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        match &args.command {
            CollectionCommand::Add { title, alias, description, community, default_tlp, public, api_root } => {
                let new = NewCollection {
                    api_root: api_root.clone(),
                    title: title.clone(),
                    description: description.clone(),
                    alias: alias.clone(),
                    community: community.clone(),
                    default_tlp: *default_tlp,
                    public: *public,
                };
                let record = hub.add_collection(&op, new).await?;
                println!("{}", record.id);
            }
            CollectionCommand::List { json, api_root } => {
                let list = hub.collections(&op, api_root).await?.into_inner();
                let communities: HashMap<String, String> =
                    hub.communities(&op).await?.into_iter().map(|c| (c.id, c.name)).collect();
                let community_name = |id: &Option<String>| id.as_ref().and_then(|i| communities.get(i)).cloned();
                if *json {
                    let list: Vec<_> = list
                        .iter()
                        .map(|c| {
                            let r = &c.record;
                            json!({
                                "id": r.id, "api_root": r.api_root, "title": r.title, "alias": r.alias,
                                "description": r.description, "community": r.community,
                                "community_name": community_name(&r.community),
                                "default_tlp": r.default_tlp, "public": r.public,
                            })
                        })
                        .collect();
                    node::print_json(&json!(list))?;
                } else {
                    for c in &list {
                        let r = &c.record;
                        let community = community_name(&r.community).unwrap_or_else(|| "-".to_owned());
                        let public = if r.public { "public" } else { "members" };
                        println!(
                            "{}\t{}\t{}\t{community}\t{}\t{public}",
                            r.id,
                            r.alias.as_deref().unwrap_or("-"),
                            r.title,
                            r.default_tlp,
                        );
                    }
                }
            }
            CollectionCommand::Remove { collection, api_root } => {
                hub.remove_collection(&op, api_root, collection).await?;
                println!("removed collection '{collection}'");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
