//! The server's integration tests, one binary: each module drives the
//! router in-process (`tower::ServiceExt::oneshot`) over a real SQLite
//! store in a temporary folder, except `serve`, which uses a real port.

mod access;
mod audit;
mod discovery;
mod errors;
mod filters;
mod intel;
mod media;
mod members;
mod objects;
mod pagination;
mod scan;
mod serve;
mod util;
mod warnings;
