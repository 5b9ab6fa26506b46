//! Accounts over GraphQL: registration, login, token refresh, logout, `me`, and the
//! admin's creation of cooperative staff, institutional buyers and buyer organisations.

mod mutations;
mod queries;
mod recovery;
mod staff;
mod types;

pub use mutations::*;
pub use queries::*;
pub use recovery::*;
pub use staff::*;
pub use types::*;
