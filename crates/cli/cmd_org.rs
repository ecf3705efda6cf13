//! `charter org`: the member organisations of this node.

use std::process::ExitCode;

use anyhow::Result;
use charter_hub::Viewer;
use charter_hub::admin::NewOrg;
use serde_json::json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter org`.
#[derive(clap::Args, Debug)]
pub struct OrgArgs {
    #[command(subcommand)]
    command: OrgCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum OrgCommand {
    /// Add an organisation and print its id.
    Add {
        /// Its name, unique on the node.
        name: String,
        /// ISO 3166-1 alpha-2 country code (GB, US, AU, ...).
        #[arg(long)]
        country: String,
        /// A sector from the STIX industry-sector vocabulary (repeatable).
        #[arg(long = "sector", value_name = "SECTOR")]
        sectors: Vec<String>,
        /// What kind of organisation it is.
        #[arg(long, default_value = "private", value_parser = ["government", "cert", "private"])]
        kind: String,
        /// Release its submissions under its own identity rather than the
        /// node's pseudonym for its sector and country.
        #[arg(long)]
        attribution: bool,
    },
    /// Choose whether an organisation's submissions name it (`on`) or the
    /// node's pseudonym for its sector and country (`off`, the default).
    Attribution {
        /// The organisation, by id or name.
        org: String,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
    /// List organisations.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove an organisation that has no users.
    Remove {
        /// The organisation, by id or name.
        org: String,
    },
}

/// Runs a `charter org` command.
pub fn run(args: &OrgArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        match &args.command {
            OrgCommand::Add { name, country, sectors, kind, attribution } => {
                let new = NewOrg {
                    name: name.clone(),
                    country: country.clone(),
                    sectors: sectors.clone(),
                    kind: kind.clone(),
                    attribution: *attribution,
                };
                let record = hub.add_org(&op, new).await?;
                println!("{}", record.id);
            }
            OrgCommand::List { json } => {
                let orgs = hub.orgs(&op).await?;
                if *json {
                    let list: Vec<_> = orgs
                        .iter()
                        .map(|o| {
                            json!({
                                "id": o.id, "name": o.name, "country": o.country, "sectors": o.sectors,
                                "kind": o.kind, "identity_id": o.identity_id,
                                "attribution": o.attribution,
                            })
                        })
                        .collect();
                    node::print_json(&json!(list))?;
                } else {
                    for o in orgs {
                        println!("{}\t{}\t{}\t{}\t{}", o.id, o.name, o.country, o.kind, o.sectors.join(","));
                    }
                }
            }
            OrgCommand::Attribution { org, setting } => {
                let record = hub.set_org_attribution(&op, org, setting == "on").await?;
                let how = if record.attribution {
                    "under its own identity"
                } else {
                    "under the node's pseudonym for its sector and country"
                };
                println!("'{}' now shares {how}", record.name);
            }
            OrgCommand::Remove { org } => {
                hub.remove_org(&op, org).await?;
                println!("removed organisation '{org}'");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
