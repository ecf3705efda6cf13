//! The `charter` binary: runs a node (`serve`) and administers its data.
//!
//! Each subcommand lives in its own module with its own `clap::Args`; this
//! file only declares them and maps a command's outcome to an exit status.
//! `anyhow` is used here and nowhere below: the library crates return
//! concrete errors.

/// The allocator: many short-lived buffers per request, freed on other threads than the
/// ones that allocated them, which glibc's malloc serves with locks and consolidation.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cmd_audit;
mod cmd_collection;
mod cmd_community;
mod cmd_export;
mod cmd_export_sensor;
mod cmd_ingest;
mod cmd_migrate;
mod cmd_org;
mod cmd_pattern;
mod cmd_review;
mod cmd_scan;
mod cmd_serve;
mod cmd_token;
mod cmd_user;
mod cmd_validate;
mod config;
mod node;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Charter: a threat-intelligence exchange over STIX 2.1 and TAXII 2.1.
#[derive(Parser, Debug)]
#[command(name = "charter", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the node: the TAXII 2.1 server over the data folder.
    Serve(cmd_serve::ServeArgs),
    /// Add the objects of a bundle or JSON Lines file to a collection.
    Ingest(cmd_ingest::IngestArgs),
    /// Write a collection's objects to a bundle or JSON Lines.
    Export(cmd_export::ExportArgs),
    /// Write the active indicators as Suricata rules, a Zeek Intel file, a blocklist or CSV.
    ExportSensor(cmd_export_sensor::ExportSensorArgs),
    /// Match logs against the shared indicators; report sightings back.
    Scan(cmd_scan::ScanArgs),
    /// Check STIX 2.1 objects against the specification (no data folder needed).
    Validate(cmd_validate::ValidateArgs),
    /// Check STIX patterns and match them against observations.
    Pattern(cmd_pattern::PatternArgs),
    /// Manage member organisations.
    Org(cmd_org::OrgArgs),
    /// Manage users, their roles and their rights on collections.
    User(cmd_user::UserArgs),
    /// Manage API tokens.
    Token(cmd_token::TokenArgs),
    /// Manage communities of organisations.
    Community(cmd_community::CommunityArgs),
    /// Manage collections.
    Collection(cmd_collection::CollectionArgs),
    /// Verify or export the release record.
    Audit(cmd_audit::AuditArgs),
    /// Move a node's data from its SQLite file into PostgreSQL.
    Migrate(cmd_migrate::MigrateArgs),
    /// Decide on objects held for privacy review.
    Review(cmd_review::ReviewArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Serve(args) => cmd_serve::run(args),
        Command::Ingest(args) => cmd_ingest::run(args),
        Command::Export(args) => cmd_export::run(args),
        Command::ExportSensor(args) => cmd_export_sensor::run(args),
        Command::Scan(args) => cmd_scan::run(args),
        Command::Validate(args) => cmd_validate::run(args),
        Command::Pattern(args) => cmd_pattern::run(args),
        Command::Org(args) => cmd_org::run(args),
        Command::User(args) => cmd_user::run(args),
        Command::Token(args) => cmd_token::run(args),
        Command::Community(args) => cmd_community::run(args),
        Command::Collection(args) => cmd_collection::run(args),
        Command::Audit(args) => cmd_audit::run(args),
        Command::Migrate(args) => cmd_migrate::run(args),
        Command::Review(args) => cmd_review::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
