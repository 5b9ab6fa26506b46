//! Every catalogue write that changes what buyers or channels see records the products
//! it touched, inside its own transaction: for the search index (the search outbox) and
//! for the sales channels (`catalog_changes`, which the connectors relay to NCUI Haat
//! and GeM). A change is never lost between the write and its consumers.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Query,
};
use uuid::Uuid;

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

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::LockedUntil.is_null())
        .add(Column::LockedUntil.lt(now))
}

/// Claims up to `limit` changes, oldest first, for `lease` (exclusive across workers, as
/// the search outbox's claims are).
pub async fn claim_changes(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u64,
    lease: Duration,
) -> Result<Vec<Change>, DbErr> {
    let now = Utc::now();
    let token = format!("{worker}:{}", Uuid::now_v7());
    let candidates = Query::select()
        .column(Column::Id)
        .from(Entity)
        .cond_where(claimable(now))
        .order_by(Column::Id, sea_orm::Order::Asc)
        .limit(limit)
        .to_owned();
    Entity::update_many()
        .col_expr(Column::LockedBy, Some(token.clone()).into())
        .col_expr(Column::LockedUntil, Some(now + lease).into())
        .filter(Column::Id.in_subquery(candidates))
        .filter(claimable(now))
        .exec(db)
        .await?;
    Ok(Entity::find()
        .filter(Column::LockedBy.eq(token))
        .order_by_asc(Column::Id)
        .all(db)
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
    for chunk in ids.chunks(500) {
        Entity::delete_many()
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Gives claimed changes back for the next claim (after a failed relay).
pub async fn release_changes(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        Entity::update_many()
            .col_expr(Column::LockedBy, Option::<String>::None.into())
            .col_expr(Column::LockedUntil, Option::<DateTime<Utc>>::None.into())
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many changes wait to be relayed.
pub async fn pending_changes(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find().count(db).await
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
