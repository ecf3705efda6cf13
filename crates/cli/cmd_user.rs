//! `charter user`: accounts, their roles and organisations, and explicit
//! rights on collections.

use std::collections::HashMap;
use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::{DEFAULT_API_ROOT, NewUser};
use charter_hub::{Role, Viewer};
use serde_json::json;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter user`.
#[derive(clap::Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum UserCommand {
    /// Add a user; the password is read from CHARTER_USER_PASSWORD, else from
    /// the first line of standard input.
    Add {
        /// Login name.
        name: String,
        /// node-admin, org-admin, analyst, reader, auditor or reviewer.
        #[arg(long, default_value = "analyst", value_parser = parse_role)]
        role: Role,
        /// The user's organisation, by id or name (required but for node-admin and auditor).
        #[arg(long)]
        org: Option<String>,
    },
    /// List users, their roles and rights.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's explicit rights on a collection (no flag removes them).
    Grant {
        /// Login name.
        name: String,
        /// The collection, by id or alias.
        collection: String,
        /// May read objects.
        #[arg(long)]
        read: bool,
        /// May add objects.
        #[arg(long)]
        write: bool,
        /// The API root of the collection.
        #[arg(long, default_value = DEFAULT_API_ROOT)]
        api_root: String,
    },
    /// Refuse a user (and its tokens) from now on.
    Disable {
        /// Login name.
        name: String,
    },
    /// Accept a disabled user again.
    Enable {
        /// Login name.
        name: String,
    },
    /// Remove a user and its tokens.
    Remove {
        /// Login name.
        name: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("'{text}': use node-admin, org-admin, analyst, reader, auditor or reviewer")
    })
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("CHARTER_USER_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn rights(read: bool, write: bool) -> &'static str {
    match (read, write) {
        (true, true) => "read,write",
        (true, false) => "read",
        (false, true) => "write",
        (false, false) => "none",
    }
}

/// Runs a `charter user` command.
pub fn run(args: &UserArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let hub = node::open_admin(&config).await?;
        let op = Viewer::node_operator();
        match &args.command {
            UserCommand::Add { name, role, org } => {
                let password = read_password()?;
                let new = NewUser { username: name.clone(), password, org: org.clone(), role: *role };
                hub.add_user(&op, new).await?;
                println!("added user '{name}' ({role})");
            }
            UserCommand::List { json } => {
                let users = hub.users(&op).await?;
                let orgs: HashMap<String, String> = hub.orgs(&op).await?.into_iter().map(|o| (o.id, o.name)).collect();
                let org_name = |id: &Option<String>| id.as_ref().and_then(|i| orgs.get(i)).cloned();
                if *json {
                    let list: Vec<_> = users
                        .iter()
                        .map(|u| {
                            json!({
                                "username": u.username,
                                "role": u.role.as_str(),
                                "org": u.org,
                                "org_name": org_name(&u.org),
                                "disabled": u.disabled,
                                "permissions": u.permissions.iter().map(|p| json!({
                                    "collection": p.collection, "read": p.can_read, "write": p.can_write,
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    node::print_json(&json!(list))?;
                } else {
                    for u in &users {
                        let org = org_name(&u.org).unwrap_or_else(|| "-".to_owned());
                        let state = if u.disabled { "disabled" } else { "enabled" };
                        println!("{}\t{}\t{org}\t{state}", u.username, u.role);
                        for p in &u.permissions {
                            println!("  {}\t{}", p.collection, rights(p.can_read, p.can_write));
                        }
                    }
                }
            }
            UserCommand::Grant { name, collection, read, write, api_root } => {
                hub.grant(&op, name, api_root, collection, *read, *write).await?;
                println!("set rights of '{name}' on '{collection}': {}", rights(*read, *write));
            }
            UserCommand::Disable { name } => {
                hub.set_user_disabled(&op, name, true).await?;
                println!("disabled user '{name}'");
            }
            UserCommand::Enable { name } => {
                hub.set_user_disabled(&op, name, false).await?;
                println!("enabled user '{name}'");
            }
            UserCommand::Remove { name } => {
                hub.remove_user(&op, name).await?;
                println!("removed user '{name}'");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
