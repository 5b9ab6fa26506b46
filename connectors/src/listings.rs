//! Listings: one per product and channel, with what the cooperative wants (listed or
//! not) and where the channel is (the state), and the GraphQL-facing operations on them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kernel::Actor;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    Channel, ConnectorError, ConnectorService,
    entity::{channel_listing, channel_outbox},
    mapping::{load_sources, map_item},
    relay,
};
// Public here as well, where they were defined before they moved below the entity.
pub use crate::state::{Desired, ListingState};

/// A product's listing on one channel, as the rest of the system sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub id: Uuid,
    pub product_id: Uuid,
    pub cooperative_id: Uuid,
    pub channel: Channel,
    pub desired: Desired,
    pub state: ListingState,
    /// The channel's id for the listing, once it has one.
    pub remote_id: Option<String>,
    /// Why the channel (or our own check) refused it; empty unless rejected.
    pub rejection_reasons: Vec<String>,
    /// The version (push job) the channel last confirmed.
    pub last_synced_version: Option<i64>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// The last push failure, while retrying or after giving up.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<channel_listing::Model> for Listing {
    type Error = ConnectorError;
    fn try_from(model: channel_listing::Model) -> Result<Self, Self::Error> {
        // A NULL JSON column can read back as JSON null: no reasons. Anything else that
        // is not a list of texts is corrupt, not "no reasons".
        let rejection_reasons = match model.rejection_reasons {
            None | Some(serde_json::Value::Null) => Vec::new(),
            Some(reasons) => serde_json::from_value(reasons).map_err(|e| {
                ConnectorError::Corrupt(format!("rejection reasons of listing {}: {e}", model.id))
            })?,
        };
        Ok(Self {
            id: model.id,
            product_id: model.product_id,
            cooperative_id: model.cooperative_id,
            channel: model.channel,
            desired: model.desired,
            state: model.state,
            remote_id: model.remote_id,
            rejection_reasons,
            last_synced_version: model.last_synced_version,
            last_synced_at: model.last_synced_at,
            last_error: model.last_error,
            created_at: model.created_at,
            updated_at: model.updated_at,
        })
    }
}

/// A listing with its sync situation.
#[derive(Debug, Clone)]
pub struct ListingView {
    pub listing: Listing,
    /// Jobs waiting to be pushed.
    pub pending_jobs: u64,
    /// Jobs that failed too often and wait for `retryChannelSync`.
    pub dead_jobs: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    pub channel: Option<Channel>,
    pub state: Option<ListingState>,
    pub cooperative_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct ListingPage {
    pub listings: Vec<ListingView>,
    pub has_next_page: bool,
    pub total_count: u64,
}

/// A channel's sync situation, for a cooperative or the whole platform.
#[derive(Debug, Clone)]
pub struct SyncStatus {
    pub channel: Channel,
    pub pushes: bool,
    /// By the state's stored name.
    pub listings_by_state: Vec<(ListingState, u64)>,
    pub pending_jobs: u64,
    pub dead_jobs: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Catalogue changes not yet turned into channel jobs (all channels together).
    pub unrelayed_changes: u64,
}

fn require_staff_or_admin(actor: &Actor) -> Result<(), ConnectorError> {
    match actor {
        Actor::Anonymous => Err(ConnectorError::Unauthenticated),
        Actor::Admin { .. } | Actor::System | Actor::CooperativeStaff { .. } => Ok(()),
        _ => Err(ConnectorError::Forbidden(
            "channel listings are managed by cooperatives and admins".into(),
        )),
    }
}

pub(crate) async fn views(
    db: &impl ConnectionTrait,
    listings: Vec<channel_listing::Model>,
) -> Result<Vec<ListingView>, ConnectorError> {
    let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
    let jobs = channel_outbox::Entity::find()
        .filter(channel_outbox::Column::ListingId.is_in(ids))
        .all(db)
        .await?;
    let mut counts: HashMap<Uuid, (u64, u64)> = HashMap::new();
    for job in jobs {
        let entry = counts.entry(job.listing_id).or_default();
        if job.dead_at.is_some() {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    listings
        .into_iter()
        .map(|listing| {
            let (pending_jobs, dead_jobs) = counts.get(&listing.id).copied().unwrap_or_default();
            Ok(ListingView {
                listing: Listing::try_from(listing)?,
                pending_jobs,
                dead_jobs,
            })
        })
        .collect()
}

async fn view(
    db: &impl ConnectionTrait,
    listing: channel_listing::Model,
) -> Result<ListingView, ConnectorError> {
    views(db, vec![listing])
        .await?
        .pop()
        .ok_or(ConnectorError::NotFound("listing"))
}

pub(crate) async fn find_listing(
    db: &impl ConnectionTrait,
    product_id: Uuid,
    channel: Channel,
) -> Result<Option<channel_listing::Model>, ConnectorError> {
    Ok(channel_listing::Entity::find()
        .filter(channel_listing::Column::ProductId.eq(product_id))
        .filter(channel_listing::Column::Channel.eq(channel))
        .one(db)
        .await?)
}

impl ConnectorService {
    /// `listOnChannel`: checks the product against the channel's fields, then lists it
    /// (pushing it where the channel has an endpoint, publishing it in the feed always).
    pub async fn list_on_channel(
        &self,
        actor: &Actor,
        product_id: Uuid,
        channel: Channel,
    ) -> Result<ListingView, ConnectorError> {
        require_staff_or_admin(actor)?;
        let mut sources = load_sources(&self.db, &[product_id]).await?;
        let source = sources
            .remove(&product_id)
            .ok_or(ConnectorError::NotFound("product"))?;
        if !actor.can_manage(source.product.cooperative_id) {
            return Err(ConnectorError::Forbidden(
                "staff list only their own cooperative's products".into(),
            ));
        }
        map_item(
            channel,
            &source,
            &self.categories,
            self.orders.rates(),
            orders::time::india_today(),
        )
        .map_err(ConnectorError::Invalid)?;
        let txn = kernel::begin_write(&self.db).await?;
        let now = Utc::now();
        let listing = match find_listing(&txn, product_id, channel).await? {
            Some(listing) => {
                channel_listing::Entity::update_many()
                    .col_expr(
                        channel_listing::Column::Desired,
                        Expr::value(Desired::Listed),
                    )
                    .col_expr(channel_listing::Column::UpdatedAt, Expr::value(now))
                    .filter(channel_listing::Column::Id.eq(listing.id))
                    .exec(&txn)
                    .await?;
                listing
            }
            None => {
                let model = channel_listing::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    product_id: Set(product_id),
                    cooperative_id: Set(source.product.cooperative_id),
                    channel: Set(channel),
                    desired: Set(Desired::Listed),
                    state: Set(ListingState::Pending),
                    remote_id: Set(None),
                    rejection_reasons: Set(None),
                    last_synced_version: Set(None),
                    last_synced_at: Set(None),
                    last_error: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                };
                channel_listing::Entity::insert(model).exec(&txn).await?;
                find_listing(&txn, product_id, channel)
                    .await?
                    .ok_or(ConnectorError::NotFound("listing"))?
            }
        };
        relay::sync_listing(self, &txn, listing.id).await?;
        let listing = channel_listing::Entity::find_by_id(listing.id)
            .one(&txn)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        txn.commit().await?;
        view(&self.db, listing).await
    }

    /// `delistFromChannel`: takes the product off the channel (and out of its feed).
    pub async fn delist(
        &self,
        actor: &Actor,
        product_id: Uuid,
        channel: Channel,
    ) -> Result<ListingView, ConnectorError> {
        require_staff_or_admin(actor)?;
        let listing = find_listing(&self.db, product_id, channel)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        if !actor.can_manage(listing.cooperative_id) {
            return Err(ConnectorError::Forbidden(
                "staff delist only their own cooperative's products".into(),
            ));
        }
        if listing.desired == Desired::Delisted {
            return Err(ConnectorError::Conflict(
                "the product is already delisted".into(),
            ));
        }
        let txn = kernel::begin_write(&self.db).await?;
        channel_listing::Entity::update_many()
            .col_expr(
                channel_listing::Column::Desired,
                Expr::value(Desired::Delisted),
            )
            .col_expr(channel_listing::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(channel_listing::Column::Id.eq(listing.id))
            .exec(&txn)
            .await?;
        relay::sync_listing(self, &txn, listing.id).await?;
        let listing = channel_listing::Entity::find_by_id(listing.id)
            .one(&txn)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        txn.commit().await?;
        view(&self.db, listing).await
    }

    /// `retryChannelSync`: the listing is synced afresh from the current catalogue, in
    /// place of its dead-lettered jobs.
    pub async fn retry(
        &self,
        actor: &Actor,
        listing_id: Uuid,
    ) -> Result<ListingView, ConnectorError> {
        require_staff_or_admin(actor)?;
        let listing = channel_listing::Entity::find_by_id(listing_id)
            .one(&self.db)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        if !actor.can_manage(listing.cooperative_id) {
            return Err(ConnectorError::Forbidden(
                "staff retry only their own cooperative's listings".into(),
            ));
        }
        let txn = kernel::begin_write(&self.db).await?;
        // A dead letter carries the item as it was when the job was written; reviving it
        // could put an old price back on the channel. The retry drops it and sends what
        // the catalogue says now.
        channel_outbox::Entity::delete_many()
            .filter(channel_outbox::Column::ListingId.eq(listing_id))
            .filter(channel_outbox::Column::DeadAt.is_not_null())
            .exec(&txn)
            .await?;
        relay::sync_listing(self, &txn, listing_id).await?;
        let listing = channel_listing::Entity::find_by_id(listing_id)
            .one(&txn)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        txn.commit().await?;
        view(&self.db, listing).await
    }

    /// `channelListings`: staff see their cooperative's, admins everyone's.
    pub async fn listings(
        &self,
        actor: &Actor,
        mut filter: ListingFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<ListingPage, ConnectorError> {
        require_staff_or_admin(actor)?;
        if let Actor::CooperativeStaff { cooperative_id, .. } = actor {
            if filter.cooperative_id.is_some_and(|c| c != *cooperative_id) {
                return Err(ConnectorError::Forbidden(
                    "staff see only their own cooperative's listings".into(),
                ));
            }
            filter.cooperative_id = Some(*cooperative_id);
        }
        let mut select = channel_listing::Entity::find();
        if let Some(channel) = filter.channel {
            select = select.filter(channel_listing::Column::Channel.eq(channel));
        }
        if let Some(state) = filter.state {
            select = select.filter(channel_listing::Column::State.eq(state));
        }
        if let Some(cooperative_id) = filter.cooperative_id {
            select = select.filter(channel_listing::Column::CooperativeId.eq(cooperative_id));
        }
        if let Some(product_id) = filter.product_id {
            select = select.filter(channel_listing::Column::ProductId.eq(product_id));
        }
        let total_count = select.clone().count(&self.db).await?;
        if let Some(after) = after {
            select = select.filter(channel_listing::Column::Id.gt(after));
        }
        let mut rows = select
            .order_by_asc(channel_listing::Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        Ok(ListingPage {
            listings: views(&self.db, rows).await?,
            has_next_page,
            total_count,
        })
    }

    /// `channelSyncStatus`: per channel, listings by state, the queue and dead letters.
    pub async fn sync_status(
        &self,
        actor: &Actor,
        cooperative_id: Option<Uuid>,
    ) -> Result<Vec<SyncStatus>, ConnectorError> {
        require_staff_or_admin(actor)?;
        let scope = match actor {
            Actor::CooperativeStaff {
                cooperative_id: own,
                ..
            } => {
                if cooperative_id.is_some_and(|c| c != *own) {
                    return Err(ConnectorError::Forbidden(
                        "staff see only their own cooperative's sync status".into(),
                    ));
                }
                Some(*own)
            }
            _ => cooperative_id,
        };
        let unrelayed_changes = catalog::changes::pending_changes(&self.db).await?;
        let mut out = Vec::new();
        for channel in Channel::ALL {
            let mut listings = channel_listing::Entity::find()
                .filter(channel_listing::Column::Channel.eq(channel));
            if let Some(c) = scope {
                listings = listings.filter(channel_listing::Column::CooperativeId.eq(c));
            }
            let listings = listings.all(&self.db).await?;
            let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
            let jobs = channel_outbox::Entity::find()
                .filter(channel_outbox::Column::ListingId.is_in(ids))
                .all(&self.db)
                .await?;
            let mut by_state: HashMap<ListingState, u64> = HashMap::new();
            for l in &listings {
                *by_state.entry(l.state).or_default() += 1;
            }
            let mut listings_by_state: Vec<(ListingState, u64)> = by_state.into_iter().collect();
            // Ordered by the stored name, as clients have always seen it.
            listings_by_state.sort_by_key(|(state, _)| state.as_str());
            out.push(SyncStatus {
                channel,
                pushes: self.pushes(channel),
                listings_by_state,
                pending_jobs: jobs.iter().filter(|j| j.dead_at.is_none()).count() as u64,
                dead_jobs: jobs.iter().filter(|j| j.dead_at.is_some()).count() as u64,
                oldest_pending_at: jobs
                    .iter()
                    .filter(|j| j.dead_at.is_none())
                    .map(|j| j.enqueued_at)
                    .min(),
                last_synced_at: listings.iter().filter_map(|l| l.last_synced_at).max(),
                unrelayed_changes,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn model(rejection_reasons: Option<Value>) -> channel_listing::Model {
        let now = Utc::now();
        channel_listing::Model {
            id: Uuid::from_u128(1),
            product_id: Uuid::from_u128(2),
            cooperative_id: Uuid::from_u128(3),
            channel: Channel::Gem,
            desired: Desired::Listed,
            state: ListingState::Rejected,
            remote_id: None,
            rejection_reasons,
            last_synced_version: None,
            last_synced_at: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn rejection_reasons_read_back_as_texts() {
        let listing = Listing::try_from(model(Some(json!(["title: too long"])))).ok();
        assert_eq!(
            listing.map(|l| l.rejection_reasons),
            Some(vec!["title: too long".to_owned()])
        );
        for none in [None, Some(Value::Null)] {
            let listing = Listing::try_from(model(none)).ok();
            assert_eq!(listing.map(|l| l.rejection_reasons), Some(Vec::new()));
        }
    }

    #[test]
    fn rejection_reasons_that_are_not_texts_are_corrupt_not_empty() {
        let result = Listing::try_from(model(Some(json!({ "title": "too long" }))));
        assert!(
            matches!(result, Err(ConnectorError::Corrupt(_))),
            "{result:?}"
        );
    }
}
