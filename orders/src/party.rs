//! Who is acting on an order. The catalogue's [`Actor`] says what kind of user it is;
//! institution users also carry their buyer organisation, whose orders they share.

use kernel::Actor;
use uuid::Uuid;

use crate::{ActorRole, OrderError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Party {
    pub actor: Actor,
    pub organisation_id: Option<Uuid>,
}

impl Party {
    pub const fn new(actor: Actor, organisation_id: Option<Uuid>) -> Self {
        Self {
            actor,
            organisation_id,
        }
    }

    pub const fn system() -> Self {
        Self::new(Actor::System, None)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.actor.user_id()
    }

    /// The role recorded in an order's history.
    pub const fn role(&self) -> ActorRole {
        match self.actor {
            Actor::Anonymous => ActorRole::Anonymous,
            Actor::Buyer { .. } => ActorRole::Buyer,
            Actor::Institution { .. } => ActorRole::Institution,
            Actor::CooperativeStaff { .. } => ActorRole::Cooperative,
            Actor::Admin { .. } => ActorRole::Admin,
            Actor::System => ActorRole::System,
        }
    }

    pub fn require_signed_in(&self) -> Result<(), OrderError> {
        match self.actor {
            Actor::Anonymous => Err(OrderError::Unauthenticated),
            _ => Ok(()),
        }
    }

    /// Buyers and institution users place orders; staff and admins do not buy.
    pub fn require_purchaser(&self) -> Result<Uuid, OrderError> {
        match self.actor {
            Actor::Anonymous => Err(OrderError::Unauthenticated),
            Actor::Buyer { user_id } | Actor::Institution { user_id } => Ok(user_id),
            _ => Err(OrderError::Forbidden(
                "only buyer and institution accounts place orders".into(),
            )),
        }
    }

    pub const fn is_admin(&self) -> bool {
        matches!(self.actor, Actor::Admin { .. } | Actor::System)
    }

    pub fn staff_of(&self) -> Option<Uuid> {
        match self.actor {
            Actor::CooperativeStaff { cooperative_id, .. } => Some(cooperative_id),
            _ => None,
        }
    }

    pub fn is_manager_of(&self, cooperative_id: Uuid) -> bool {
        matches!(self.actor, Actor::CooperativeStaff { cooperative_id: own, manager: true, .. } if own == cooperative_id)
    }
}
