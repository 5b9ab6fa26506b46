//! The shared kernel: small pieces every domain crate uses and none of them owns.
//! It knows nothing of HTTP, GraphQL or any one domain.

pub mod webhook_signature;
