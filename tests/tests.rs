//! The root package's one integration-test binary. Every test here runs the
//! real `charter` binary (`CARGO_BIN_EXE_charter`) — as a server on a free
//! port in a temporary data folder, or as a command — and speaks to it only
//! through HTTP, its output and its exit status (the `audit` tests alone also
//! open its database file, to tamper with the record behind its back).

mod audit;
mod cli;
mod durability;
mod members;
#[path = "../crates/store/tests/pg_server.rs"]
mod pg_server;
mod postgres;
mod privacy;
mod scan;
mod sensors;
mod taxii;
mod tidy;
mod util;
mod warnings;
