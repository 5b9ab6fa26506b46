//! From catalogue changes to channel jobs. The catalog records every changed product in
//! `catalog_changes` inside its own transaction; the relay claims those records, works
//! out for each listing of the product what the channel must now be told, and writes
//! that job to `channel_outbox`, in one transaction per listing. The listing row is
//! updated first, which locks it, so two relays never interleave on one listing and a
//! later job always carries a later snapshot.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ConnectorError, ConnectorService,
    entity::{channel_listing, channel_outbox},
    mapping::{load_sources, map_item},
    outbox::QUEUE,
    state::{Desired, ListingState},
};

// Public here since before the outbox had its own module.
pub use crate::outbox::{DELETE, UPSERT};

fn state_after_sending(current: ListingState) -> ListingState {
    match current {
        ListingState::Listed | ListingState::OutOfSync => ListingState::OutOfSync,
        _ => ListingState::Pending,
    }
}

fn was_sent(listing: &channel_listing::Model) -> bool {
    listing.remote_id.is_some()
        || matches!(
            listing.state,
            ListingState::Listed | ListingState::OutOfSync | ListingState::Pending
        )
}

/// Records what the channel must be told about one listing, inside `txn`. The product
/// is read after the listing's row is locked, never before: a snapshot read earlier
/// could be older than one another relay (another replica) has meanwhile written as a
/// job, and the newer job id would then carry the older price.
pub(crate) async fn sync_listing(
    service: &ConnectorService,
    txn: &impl ConnectionTrait,
    listing_id: Uuid,
) -> Result<(), ConnectorError> {
    let now = Utc::now();
    // A write that changes nothing, to take the row's lock before reading.
    channel_listing::Entity::update_many()
        .col_expr(
            channel_listing::Column::Desired,
            Expr::col(channel_listing::Column::Desired),
        )
        .filter(channel_listing::Column::Id.eq(listing_id))
        .exec(txn)
        .await?;
    let listing = channel_listing::Entity::find_by_id(listing_id)
        .one(txn)
        .await?
        .ok_or(ConnectorError::NotFound("listing"))?;
    let channel = listing.channel;
    let loaded = load_sources(txn, &[listing.product_id]).await?;
    let source = loaded.get(&listing.product_id);
    let mapped = match (listing.desired, source) {
        (Desired::Listed, Some(source)) => Some(map_item(
            channel,
            source,
            &service.categories,
            service.orders.rates(),
            orders::time::india_today(),
        )),
        _ => None,
    };
    let pushes = service.pushes(channel);
    let (action, payload, state, reasons): (
        Option<&str>,
        serde_json::Value,
        ListingState,
        Option<Vec<String>>,
    ) = match mapped {
        Some(Ok(item)) => {
            let state = if pushes {
                state_after_sending(listing.state)
            } else {
                ListingState::Listed
            };
            (pushes.then_some(UPSERT), item, state, None)
        }
        Some(Err(problems)) => {
            let reasons = problems
                .iter()
                .map(|p| format!("{}: {}", p.field.join("."), p.message))
                .collect();
            let action = (pushes && was_sent(&listing)).then_some(DELETE);
            (
                action,
                json!({ "listingKey": listing.product_id }),
                ListingState::Rejected,
                Some(reasons),
            )
        }
        None if listing.desired == Desired::Delisted || source.is_none() => {
            let sent = was_sent(&listing);
            let state = if pushes && sent {
                ListingState::Pending
            } else {
                ListingState::Delisted
            };
            let action = (pushes && sent).then_some(DELETE);
            (
                action,
                json!({ "listingKey": listing.product_id }),
                state,
                None,
            )
        }
        None => {
            return Err(ConnectorError::Corrupt(format!(
                "listing {listing_id} wants {:?}",
                listing.desired
            )));
        }
    };
    let reasons = reasons.map(|r| json!(r));
    let changed = state != listing.state
            // A NULL JSON column can read back as JSON null.
            || reasons != listing.rejection_reasons.clone().filter(|r| !r.is_null())
            || action.is_some();
    let mut update = channel_listing::Entity::update_many()
        .col_expr(channel_listing::Column::State, Expr::value(state.as_str()))
        .col_expr(
            channel_listing::Column::RejectionReasons,
            Expr::value(reasons),
        );
    if changed {
        update = update.col_expr(channel_listing::Column::UpdatedAt, Expr::value(now));
    }
    if !pushes {
        update = update.col_expr(channel_listing::Column::LastSyncedAt, Expr::value(now));
    }
    update
        .filter(channel_listing::Column::Id.eq(listing_id))
        .exec(txn)
        .await?;
    if let Some(action) = action {
        // A newer job makes older unsent ones pointless; one in flight is left alone.
        channel_outbox::Entity::delete_many()
            .filter(channel_outbox::Column::ListingId.eq(listing_id))
            .filter(QUEUE.idle(now))
            .exec(txn)
            .await?;
        channel_outbox::Entity::insert(channel_outbox::ActiveModel {
            listing_id: Set(listing_id),
            product_id: Set(listing.product_id),
            channel: Set(channel.as_str().into()),
            action: Set(action.into()),
            payload: Set(payload),
            attempts: Set(0),
            available_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            dead_at: Set(None),
            enqueued_at: Set(now),
            ..Default::default()
        })
        .exec(txn)
        .await?;
    }
    Ok(())
}

impl ConnectorService {
    /// Relays up to `limit` catalogue changes to channel jobs; returns how many changes
    /// it took.
    pub async fn relay_changes(&self, worker: &str, limit: u64) -> Result<usize, ConnectorError> {
        // Relaying a batch takes milliseconds; a short lease lets another process take
        // over soon after a crash (relaying a change twice is harmless).
        let changes = catalog::changes::claim_changes(
            &self.db,
            worker,
            limit,
            std::time::Duration::from_secs(10),
        )
        .await?;
        if changes.is_empty() {
            return Ok(0);
        }
        let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
        if let Err(e) = self.relay_claimed(&changes).await {
            // Give the changes back at once rather than when the lease runs out.
            catalog::changes::release_changes(&self.db, &ids).await?;
            return Err(e);
        }
        catalog::changes::complete_changes(&self.db, &ids).await?;
        Ok(changes.len())
    }

    async fn relay_claimed(
        &self,
        changes: &[catalog::changes::Change],
    ) -> Result<(), ConnectorError> {
        let mut product_ids: Vec<Uuid> = changes.iter().map(|c| c.product_id).collect();
        product_ids.sort_unstable();
        product_ids.dedup();
        let listings = channel_listing::Entity::find()
            .filter(channel_listing::Column::ProductId.is_in(product_ids.clone()))
            .all(&self.db)
            .await?;
        if listings.is_empty() {
            return Ok(());
        }
        for listing in listings {
            // A delisted product's changes concern no channel.
            if listing.desired == Desired::Delisted {
                continue;
            }
            let txn = kernel::begin_write(&self.db).await?;
            sync_listing(self, &txn, listing.id).await?;
            txn.commit().await?;
        }
        Ok(())
    }
}
