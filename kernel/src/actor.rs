//! Who is acting, and what they may do. The rules live here, below every domain crate,
//! so that every entry point (GraphQL, import, CLI) and every domain applies the same
//! ones.

use uuid::Uuid;

/// Why an actor may not do something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
}

/// The party behind a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Buyer {
        user_id: Uuid,
    },
    Institution {
        user_id: Uuid,
    },
    CooperativeStaff {
        user_id: Uuid,
        cooperative_id: Uuid,
        manager: bool,
    },
    Admin {
        user_id: Uuid,
    },
    /// The platform itself: start-up loaders and operator commands. Acts as an admin
    /// but records no user.
    System,
}

impl Actor {
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::Anonymous | Self::System => None,
            Self::Buyer { user_id }
            | Self::Institution { user_id }
            | Self::CooperativeStaff { user_id, .. }
            | Self::Admin { user_id } => Some(*user_id),
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self, Self::Admin { .. } | Self::System)
    }

    /// Admins, and staff of this cooperative, may act on its catalogue.
    pub fn can_manage(&self, cooperative_id: Uuid) -> bool {
        match self {
            Self::Admin { .. } | Self::System => true,
            Self::CooperativeStaff {
                cooperative_id: own,
                ..
            } => *own == cooperative_id,
            _ => false,
        }
    }

    pub fn require_signed_in(&self) -> Result<(), AccessDenied> {
        match self {
            Self::Anonymous => Err(AccessDenied::Unauthenticated),
            _ => Ok(()),
        }
    }

    pub fn require_admin(&self) -> Result<(), AccessDenied> {
        self.require_signed_in()?;
        if self.is_admin() {
            Ok(())
        } else {
            Err(AccessDenied::Forbidden(
                "only platform admins may do this".to_owned(),
            ))
        }
    }

    pub fn require_manage(&self, cooperative_id: Uuid) -> Result<(), AccessDenied> {
        self.require_signed_in()?;
        if self.can_manage(cooperative_id) {
            Ok(())
        } else {
            Err(AccessDenied::Forbidden(
                "only this cooperative's staff or a platform admin may do this".to_owned(),
            ))
        }
    }

    /// Cooperative managers (of this cooperative) and admins.
    pub fn require_manager(&self, cooperative_id: Uuid) -> Result<(), AccessDenied> {
        self.require_signed_in()?;
        match self {
            Self::Admin { .. } | Self::System => Ok(()),
            Self::CooperativeStaff {
                cooperative_id: own,
                manager: true,
                ..
            } if *own == cooperative_id => Ok(()),
            _ => Err(AccessDenied::Forbidden(
                "only this cooperative's managers or a platform admin may do this".to_owned(),
            )),
        }
    }
}
