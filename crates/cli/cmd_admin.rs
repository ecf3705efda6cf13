//! `charter user` and `charter collection`: node administration on the data
//! folder, safe to run while the server runs (the store is opened in WAL
//! mode and writes are transactions).

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::DEFAULT_API_ROOT;
use charter_hub::Viewer;

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
        /// Make the user a node administrator.
        #[arg(long)]
        admin: bool,
    },
    /// List users and their rights.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's rights on a collection (no flag removes them).
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
    /// Refuse a user from now on.
    Disable {
        /// Login name.
        name: String,
    },
    /// Accept a disabled user again.
    Enable {
        /// Login name.
        name: String,
    },
}

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
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("CHARTER_USER_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs a `charter user` command.
pub fn run_user(args: &UserArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let (hub, generated) = node::open(&config).await?;
        if let Some(password) = generated {
            eprintln!("Created user 'admin' with password: {password}");
        }
        let op = Viewer::node_operator();
        match &args.command {
            UserCommand::Add { name, admin } => {
                let password = read_password()?;
                hub.add_user(&op, name, &password, *admin).await?;
                println!("added user '{name}'");
            }
            UserCommand::List { json } => {
                let users = hub.users(&op).await?;
                if *json {
                    let list: Vec<_> = users
                        .iter()
                        .map(|u| {
                            serde_json::json!({
                                "username": u.username,
                                "admin": u.is_admin,
                                "disabled": u.disabled,
                                "permissions": u.permissions.iter().map(|p| serde_json::json!({
                                    "collection": p.collection, "read": p.can_read, "write": p.can_write,
                                })).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&list)?);
                } else {
                    for u in users {
                        let mut flags = Vec::new();
                        if u.is_admin {
                            flags.push("admin");
                        }
                        if u.disabled {
                            flags.push("disabled");
                        }
                        println!("{}\t{}", u.username, flags.join(","));
                        for p in u.permissions {
                            let rights = match (p.can_read, p.can_write) {
                                (true, true) => "read,write",
                                (true, false) => "read",
                                (false, true) => "write",
                                (false, false) => "none",
                            };
                            println!("  {}\t{rights}", p.collection);
                        }
                    }
                }
            }
            UserCommand::Grant { name, collection, read, write, api_root } => {
                hub.grant(&op, name, api_root, collection, *read, *write).await?;
                println!("set rights of '{name}' on '{collection}': read={read} write={write}");
            }
            UserCommand::Disable { name } => {
                hub.set_user_disabled(&op, name, true).await?;
                println!("disabled user '{name}'");
            }
            UserCommand::Enable { name } => {
                hub.set_user_disabled(&op, name, false).await?;
                println!("enabled user '{name}'");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs a `charter collection` command.
pub fn run_collection(args: &CollectionArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    node::runtime()?.block_on(async {
        let (hub, generated) = node::open(&config).await?;
        if let Some(password) = generated {
            eprintln!("Created user 'admin' with password: {password}");
        }
        let op = Viewer::node_operator();
        match &args.command {
            CollectionCommand::Add { title, alias, description, api_root } => {
                let record = hub.add_collection(&op, api_root, title, description.clone(), alias.clone()).await?;
                println!("{}", record.id);
            }
            CollectionCommand::List { json, api_root } => {
                let list = hub.collections(&op, api_root).await?.into_inner();
                if *json {
                    let list: Vec<_> = list
                        .iter()
                        .map(|c| {
                            serde_json::json!({
                                "id": c.record.id, "title": c.record.title,
                                "alias": c.record.alias, "description": c.record.description,
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&list)?);
                } else {
                    for c in list {
                        println!("{}\t{}\t{}", c.record.id, c.record.alias.as_deref().unwrap_or("-"), c.record.title);
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
