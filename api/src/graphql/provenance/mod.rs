//! GI provenance over GraphQL: the GI register, authorised users, products' GI claims,
//! batches and their hash-chained events, and the public `verifyProvenance`.

mod mutations;
mod queries;
mod types;

pub use mutations::*;
pub use queries::*;
pub use types::*;
