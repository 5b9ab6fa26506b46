//! Listing products on NCUI Haat and GeM over GraphQL; the rules are in `connectors`.

mod mutations;
mod queries;
mod types;

pub use mutations::*;
pub use queries::*;
pub use types::*;
