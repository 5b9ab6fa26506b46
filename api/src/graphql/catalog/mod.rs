//! The catalog over GraphQL: cooperatives, districts, categories, products and their
//! variants as each viewer may see them (buyers and visitors: verified cooperatives and
//! active products; staff: all of their own cooperative; admins: everything).

mod cooperatives;
mod mutations;
mod product_mutations;
mod products;
mod queries;
mod types;

pub use cooperatives::*;
pub use mutations::*;
pub use product_mutations::*;
pub use products::*;
pub use queries::*;
pub use types::*;
