//! Who messages go to. Users live in `accounts`, orders and GI authorisations in other
//! crates; none of those may depend on another, so the crates that cause messages ask
//! this trait, which `accounts` implements and the binary hands them.

use sea_orm::{DatabaseTransaction, DbErr};
use uuid::Uuid;

use crate::Language;

/// One recipient: an address and the language to write in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The user behind the address (None for a guest's address): their preferences
    /// apply.
    pub user_id: Option<Uuid>,
    pub email: String,
    pub language: Language,
}

/// Looks recipients up, inside the transaction that records the message (so a user
/// changed in the same transaction is seen as changed).
#[async_trait::async_trait]
pub trait Directory: Send + Sync + std::fmt::Debug {
    /// The user, unless the account does not exist or is suspended.
    async fn user(
        &self,
        db: &DatabaseTransaction,
        user_id: Uuid,
    ) -> Result<Option<Recipient>, DbErr>;

    /// A cooperative's managers and staff whose accounts are not suspended, in a stable
    /// order.
    async fn cooperative_staff(
        &self,
        db: &DatabaseTransaction,
        cooperative_id: Uuid,
    ) -> Result<Vec<Recipient>, DbErr>;
}
