//! The shared kernel: small pieces every domain crate uses and none of them owns: who
//! is acting ([`Actor`]), field-level validation errors, money, keyset paging, write
//! transactions, the durable work queue with its worker runtime, and webhook
//! signature checks. It knows nothing
//! of HTTP, GraphQL or any one domain.

mod actor;
mod field_error;
pub mod limits;
mod money;
pub mod paging;
pub mod queue;
pub mod transaction;
pub mod webhook_signature;
pub mod worker;

pub use actor::{AccessDenied, Actor};
pub use field_error::{FieldError, FieldErrorCode, FieldErrors, InvalidInput};
pub use money::{Currency, Money};
pub use paging::{Page, PageRequest};
pub use transaction::{Writer, begin_write};
