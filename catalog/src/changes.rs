//! Every catalogue write that changes what buyers or channels see records the products
//! it touched, inside its own transaction: for the search index (the search outbox) and
//! for the sales channels (`catalog_changes`, which the connectors relay to NCUI Haat
//! and GeM). A change is never lost between the write and its consumers.

use chrono::{DateTime, Utc};
use kernel::queue::{Due, Queue, QueueColumns};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::CatalogError;
use crate::entity::catalog_change::{self, Column, Entity};

pub(crate) async fn product_changed(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<(), DbErr> {
    search::outbox::enqueue(db, product_ids).await?;
    record(db, product_ids).await
}

/// Records a change for the channel relay only.
pub async fn record(db: &impl ConnectionTrait, product_ids: &[Uuid]) -> Result<(), DbErr> {
    let mut unique = product_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let now = Utc::now();
    for chunk in unique.chunks(500) {
        let rows = chunk.iter().map(|id| catalog_change::ActiveModel {
            product_id: Set(*id),
            enqueued_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            ..Default::default()
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// A claimed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub product_id: Uuid,
}

/// The change log as a [`kernel::queue::Queue`]: claimable at once, never given up on.
const QUEUE: Queue<Entity> = Queue::new(
    Entity,
    QueueColumns {
        id: Column::Id,
        locked_by: Column::LockedBy,
        locked_until: Column::LockedUntil,
        available_at: None,
        attempts: None,
        last_error: None,
        dead_at: None,
    },
);

/// Claims up to `limit` changes, oldest first, for `lease` (exclusive across workers).
pub async fn claim_changes(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u64,
    lease: std::time::Duration,
) -> Result<Vec<Change>, DbErr> {
    Ok(QUEUE
        .claim(db, worker, limit, lease, Due::Now)
        .await?
        .into_iter()
        .map(|m| Change {
            id: m.id,
            product_id: m.product_id,
        })
        .collect())
}

/// Removes relayed changes.
pub async fn complete_changes(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    QUEUE.complete(db, ids).await
}

/// Gives claimed changes back for the next claim (after a failed relay).
pub async fn release_changes(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    QUEUE.release(db, ids).await
}

/// How many changes wait to be relayed.
pub async fn pending_changes(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    QUEUE.pending(db).await
}

/// What identifies the current state of a product for a feed's ETag: its last change
/// and status, and each variant's last change, stock and price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeStamp {
    pub product_id: Uuid,
    pub updated_at: DateTime<Utc>,
    pub status: crate::ProductStatus,
    /// (variant id, last change, stock on hand, price in paise), by variant id.
    pub variants: Vec<(Uuid, DateTime<Utc>, i32, i64)>,
}

/// The change stamps of these products (absent ones are gone): two narrow selects,
/// however large the products' descriptions and attributes are.
pub async fn change_stamps(
    db: &impl ConnectionTrait,
    product_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, ChangeStamp>, DbErr> {
    use sea_orm::QuerySelect;

    use crate::entity::{product, product_variant};

    let products: Vec<(Uuid, DateTime<Utc>, crate::ProductStatus)> = product::Entity::find()
        .select_only()
        .columns([
            product::Column::Id,
            product::Column::UpdatedAt,
            product::Column::Status,
        ])
        .filter(product::Column::Id.is_in(product_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let mut stamps: std::collections::HashMap<Uuid, ChangeStamp> = products
        .into_iter()
        .map(|(product_id, updated_at, status)| {
            (
                product_id,
                ChangeStamp {
                    product_id,
                    updated_at,
                    status,
                    variants: Vec::new(),
                },
            )
        })
        .collect();
    let variants: Vec<(Uuid, Uuid, DateTime<Utc>, i32, i64)> = product_variant::Entity::find()
        .select_only()
        .columns([
            product_variant::Column::Id,
            product_variant::Column::ProductId,
            product_variant::Column::UpdatedAt,
            product_variant::Column::StockOnHand,
            product_variant::Column::PricePaise,
        ])
        .filter(product_variant::Column::ProductId.is_in(product_ids.iter().copied()))
        .order_by_asc(product_variant::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, product_id, updated_at, stock, price) in variants {
        if let Some(stamp) = stamps.get_mut(&product_id) {
            stamp.variants.push((id, updated_at, stock, price));
        }
    }
    Ok(stamps)
}

/// Ids of the products matching a condition, for enqueueing search updates.
async fn product_ids_where(
    db: &impl ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> Result<Vec<Uuid>, CatalogError> {
    use sea_orm::QuerySelect;

    Ok(crate::entity::product::Entity::find()
        .select_only()
        .column(crate::entity::product::Column::Id)
        .filter(condition)
        .into_tuple()
        .all(db)
        .await?)
}

/// Asks the search index to rebuild the documents of every product matching a
/// condition (a cooperative's, a category's, a GI's claimants).
pub(crate) async fn reindex_products_where(
    db: &impl ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> Result<(), CatalogError> {
    let ids = product_ids_where(db, condition).await?;
    product_changed(db, &ids).await?;
    Ok(())
}
