//! What a resolver needs from the request, behind one extension trait on
//! [`async_graphql::Context`]: `ctx.db()`, `ctx.viewer()`, `ctx.actor()`,
//! `ctx.loaders()`, `ctx.limits()`, the domain services and `ctx.party()` (the
//! orders' view of the viewer). Every accessor fails with INTERNAL when the schema was
//! built without the data it reads, which only a wiring mistake can cause.

use std::sync::Arc;

use accounts::{CooperativeRole, Role};
use async_graphql::Context;
use connectors::ConnectorService;
use orders::{OrderService, Party};
use sea_orm::DatabaseConnection;
use search::SearchIndex;

use crate::{
    auth::{TokenService, Viewer},
    graphql::{ApiError, RequestContext, loaders::Loaders},
    settings::GraphqlSettings,
};

/// The request's data and the schema's services, as a resolver sees them.
pub trait ContextExt {
    /// The request's own data (viewer, request id).
    fn request(&self) -> Result<&RequestContext, ApiError>;
    /// The database pool.
    fn db(&self) -> Result<&DatabaseConnection, ApiError>;
    /// The signed-in viewer, if any.
    fn viewer_opt(&self) -> Result<Option<&Viewer>, ApiError>;
    /// The signed-in viewer, or UNAUTHENTICATED.
    fn viewer(&self) -> Result<&Viewer, ApiError>;
    /// The signed-in admin, or UNAUTHENTICATED / FORBIDDEN.
    fn admin(&self) -> Result<&Viewer, ApiError>;
    /// The domain's view of the viewer, so that domain rules decide what they may do.
    fn actor(&self) -> Result<kernel::Actor, ApiError>;
    /// The request's DataLoaders.
    fn loaders(&self) -> Result<&Arc<Loaders>, ApiError>;
    /// Page sizes and the other GraphQL limits.
    fn limits(&self) -> Result<&GraphqlSettings, ApiError>;
    /// Access and refresh tokens.
    fn tokens(&self) -> Result<&TokenService, ApiError>;
    /// The search index.
    fn search_index(&self) -> Result<&Arc<dyn SearchIndex>, ApiError>;
    /// Carts, checkout, orders and payments.
    fn orders(&self) -> Result<&OrderService, ApiError>;
    /// The order domain's view of the caller: the actor and, for institution users,
    /// the organisation they buy for.
    fn party(&self) -> Result<Party, ApiError>;
    /// NCUI Haat and GeM.
    fn connectors(&self) -> Result<&ConnectorService, ApiError>;
}

fn data<'a, T: Send + Sync + 'static>(ctx: &'a Context<'_>) -> Result<&'a T, ApiError> {
    ctx.data::<T>().map_err(|_| ApiError::Internal)
}

impl ContextExt for Context<'_> {
    fn request(&self) -> Result<&RequestContext, ApiError> {
        data(self)
    }

    fn db(&self) -> Result<&DatabaseConnection, ApiError> {
        data(self)
    }

    fn viewer_opt(&self) -> Result<Option<&Viewer>, ApiError> {
        Ok(self.request()?.viewer.as_ref())
    }

    fn viewer(&self) -> Result<&Viewer, ApiError> {
        self.viewer_opt()?
            .ok_or_else(|| ApiError::Unauthenticated("sign in first".to_owned()))
    }

    fn admin(&self) -> Result<&Viewer, ApiError> {
        let viewer = self.viewer()?;
        if viewer.role == Role::Admin {
            Ok(viewer)
        } else {
            Err(ApiError::Forbidden(
                "only platform admins may do this".to_owned(),
            ))
        }
    }

    fn actor(&self) -> Result<kernel::Actor, ApiError> {
        Ok(actor_of(self.viewer_opt()?))
    }

    fn loaders(&self) -> Result<&Arc<Loaders>, ApiError> {
        data(self)
    }

    fn limits(&self) -> Result<&GraphqlSettings, ApiError> {
        data(self)
    }

    fn tokens(&self) -> Result<&TokenService, ApiError> {
        data(self)
    }

    fn search_index(&self) -> Result<&Arc<dyn SearchIndex>, ApiError> {
        data(self)
    }

    fn orders(&self) -> Result<&OrderService, ApiError> {
        data(self)
    }

    fn party(&self) -> Result<Party, ApiError> {
        let organisation = self.viewer_opt()?.and_then(|v| v.buyer_organisation_id);
        Ok(Party::new(self.actor()?, organisation))
    }

    fn connectors(&self) -> Result<&ConnectorService, ApiError> {
        data(self)
    }
}

/// The catalog actor for a viewer (or its absence), wherever the request came in:
/// GraphQL here, REST through `graphql::accounts_actor_of`.
pub fn actor_of(viewer: Option<&Viewer>) -> kernel::Actor {
    let Some(viewer) = viewer else {
        return kernel::Actor::Anonymous;
    };
    let user_id = viewer.user_id;
    match viewer.role {
        Role::Buyer => kernel::Actor::Buyer { user_id },
        Role::Institution => kernel::Actor::Institution { user_id },
        Role::Admin => kernel::Actor::Admin { user_id },
        Role::Cooperative => match viewer.cooperative_id {
            Some(cooperative_id) => kernel::Actor::CooperativeStaff {
                user_id,
                cooperative_id,
                manager: viewer.cooperative_role == Some(CooperativeRole::Manager),
            },
            None => kernel::Actor::Buyer { user_id },
        },
    }
}
