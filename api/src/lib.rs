//! The HTTP and GraphQL adapter of the Ladakh cooperative marketplace, and its binary.
//!
//! This crate is deliberately thin: it parses and authenticates requests, calls one
//! domain service, and maps the result (and every domain error, exactly once) onto the
//! GraphQL and HTTP contracts. Business rules live in the domain crates.

pub mod auth;
pub mod cli;
pub mod graphql;
mod http;
pub mod metrics;
pub mod settings;
pub mod startup;
mod telemetry;
