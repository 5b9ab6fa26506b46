//! Listings: one per product and channel, with what the cooperative wants (listed or
//! not) and where the channel is (the state), and the GraphQL-facing operations on them.

use std::collections::HashMap;

use catalog::Actor;
use chrono::{DateTime, Utc};
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

pub const LISTED: &str = "LISTED";
pub const DELISTED: &str = "DELISTED";

/// Where a listing is on its channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingState {
    NotListed,
    /// Sent (or waiting to be sent) and not yet confirmed.
    Pending,
    Listed,
    /// The channel (or our own check) refused it; the reasons say why.
    Rejected,
    /// Listed, with a change not yet confirmed by the channel.
    OutOfSync,
    Delisted,
}

impl ListingState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NotListed => "NOT_LISTED",
            Self::Pending => "PENDING",
            Self::Listed => "LISTED",
            Self::Rejected => "REJECTED",
            Self::OutOfSync => "OUT_OF_SYNC",
            Self::Delisted => "DELISTED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::NotListed,
            Self::Pending,
            Self::Listed,
            Self::Rejected,
            Self::OutOfSync,
            Self::Delisted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A listing with its sync situation.
#[derive(Debug, Clone)]
pub struct ListingView {
    pub listing: channel_listing::Model,
    pub channel: Channel,
    pub state: ListingState,
    pub rejection_reasons: Vec<String>,
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
#[derive(Debug, Clone, Default)]
pub struct SyncStatus {
    pub channel: Option<Channel>,
    pub pushes: bool,
    pub listings_by_state: Vec<(String, u64)>,
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
            let channel = Channel::parse(&listing.channel)
                .ok_or_else(|| ConnectorError::Corrupt(format!("channel {}", listing.channel)))?;
            let state = ListingState::parse(&listing.state)
                .ok_or_else(|| ConnectorError::Corrupt(format!("state {}", listing.state)))?;
            let rejection_reasons = listing
                .rejection_reasons
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            let (pending_jobs, dead_jobs) = counts.get(&listing.id).copied().unwrap_or_default();
            Ok(ListingView {
                listing,
                channel,
                state,
                rejection_reasons,
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
        .filter(channel_listing::Column::Channel.eq(channel.as_str()))
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
        map_item(channel, &source, &self.categories).map_err(ConnectorError::Invalid)?;
        let txn = catalog::transaction::begin_write(&self.db).await?;
        let now = Utc::now();
        let listing = match find_listing(&txn, product_id, channel).await? {
            Some(listing) => {
                channel_listing::Entity::update_many()
                    .col_expr(channel_listing::Column::Desired, Expr::value(LISTED))
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
                    channel: Set(channel.as_str().into()),
                    desired: Set(LISTED.into()),
                    state: Set(ListingState::Pending.as_str().into()),
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
        relay::sync_listing(self, &txn, listing.id, Some(&source), true).await?;
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
        if listing.desired == DELISTED {
            return Err(ConnectorError::Conflict(
                "the product is already delisted".into(),
            ));
        }
        let txn = catalog::transaction::begin_write(&self.db).await?;
        channel_listing::Entity::update_many()
            .col_expr(channel_listing::Column::Desired, Expr::value(DELISTED))
            .col_expr(channel_listing::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(channel_listing::Column::Id.eq(listing.id))
            .exec(&txn)
            .await?;
        relay::sync_listing(self, &txn, listing.id, None, true).await?;
        let listing = channel_listing::Entity::find_by_id(listing.id)
            .one(&txn)
            .await?
            .ok_or(ConnectorError::NotFound("listing"))?;
        txn.commit().await?;
        view(&self.db, listing).await
    }

    /// `retryChannelSync`: dead-lettered jobs go back in the queue, and a listing that
    /// was refused or left out of sync is synced afresh from the catalogue.
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
        let txn = catalog::transaction::begin_write(&self.db).await?;
        let revived = channel_outbox::Entity::update_many()
            .col_expr(
                channel_outbox::Column::DeadAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(channel_outbox::Column::Attempts, Expr::value(0))
            .col_expr(channel_outbox::Column::AvailableAt, Expr::value(Utc::now()))
            .col_expr(
                channel_outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(channel_outbox::Column::ListingId.eq(listing_id))
            .filter(channel_outbox::Column::DeadAt.is_not_null())
            .exec(&txn)
            .await?;
        if revived.rows_affected == 0 {
            relay::sync_listing(self, &txn, listing_id, None, true).await?;
        }
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
            select = select.filter(channel_listing::Column::Channel.eq(channel.as_str()));
        }
        if let Some(state) = filter.state {
            select = select.filter(channel_listing::Column::State.eq(state.as_str()));
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
                .filter(channel_listing::Column::Channel.eq(channel.as_str()));
            if let Some(c) = scope {
                listings = listings.filter(channel_listing::Column::CooperativeId.eq(c));
            }
            let listings = listings.all(&self.db).await?;
            let ids: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
            let jobs = channel_outbox::Entity::find()
                .filter(channel_outbox::Column::ListingId.is_in(ids))
                .all(&self.db)
                .await?;
            let mut by_state: HashMap<String, u64> = HashMap::new();
            for l in &listings {
                *by_state.entry(l.state.clone()).or_default() += 1;
            }
            let mut listings_by_state: Vec<(String, u64)> = by_state.into_iter().collect();
            listings_by_state.sort();
            out.push(SyncStatus {
                channel: Some(channel),
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
