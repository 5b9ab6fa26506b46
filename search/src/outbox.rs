//! The search outbox table: entries are enqueued inside the catalog's transactions and
//! claimed by workers with a lease, so that with several processes each entry is
//! applied by one worker at a time, and an entry whose worker died is picked up again
//! when its lease runs out.

use chrono::{Duration, Utc};
use rand::Rng;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, sea_query::Query,
};
use uuid::Uuid;

mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub product_id: Uuid,
        pub enqueued_at: DateTimeUtc,
        pub attempts: i32,
        pub available_at: DateTimeUtc,
        pub locked_by: Option<String>,
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::{Column, Entity};

/// A claimed entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub product_id: Uuid,
    pub attempts: i32,
}

/// Records that these products' search documents must be rebuilt. Call it inside the
/// transaction of the change.
pub async fn enqueue(db: &impl ConnectionTrait, product_ids: &[Uuid]) -> Result<(), DbErr> {
    if product_ids.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut unique: Vec<Uuid> = product_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for chunk in unique.chunks(500) {
        let rows = chunk.iter().map(|product_id| entity::ActiveModel {
            product_id: Set(*product_id),
            enqueued_at: Set(now),
            attempts: Set(0),
            available_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            ..Default::default()
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

fn claimable(now: chrono::DateTime<Utc>) -> Condition {
    Condition::all().add(Column::AvailableAt.lte(now)).add(
        Condition::any()
            .add(Column::LockedUntil.is_null())
            .add(Column::LockedUntil.lt(now)),
    )
}

/// Claims up to `limit` entries, oldest first, for `lease`. The claimable condition is
/// repeated in the outer UPDATE so that PostgreSQL re-checks it on rows another worker
/// claimed meanwhile: no entry is handed to two workers at once.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u64,
    lease: Duration,
) -> Result<Vec<OutboxEntry>, DbErr> {
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
        .map(|model| OutboxEntry {
            id: model.id,
            product_id: model.product_id,
            attempts: model.attempts,
        })
        .collect())
}

/// Removes applied entries.
pub async fn complete(db: &impl ConnectionTrait, entries: &[OutboxEntry]) -> Result<(), DbErr> {
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    for chunk in ids.chunks(500) {
        Entity::delete_many()
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The delay before the next try: doubling from half a second up to five minutes, with
/// jitter so that failed entries do not all come back at once.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 10)).unwrap_or(0);
    let base = Duration::milliseconds(500) * 2_i32.pow(doublings);
    let capped = base.min(Duration::minutes(5));
    capped + Duration::milliseconds(rand::rng().random_range(0..250))
}

/// Releases failed entries for a later try. Entries are never dropped: the index must
/// not silently miss a change.
pub async fn retry_later(
    db: &impl ConnectionTrait,
    entries: &[OutboxEntry],
    error: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    for entry in entries {
        let attempts = entry.attempts.saturating_add(1);
        Entity::update_many()
            .col_expr(Column::Attempts, attempts.into())
            .col_expr(Column::AvailableAt, (now + backoff(attempts)).into())
            .col_expr(Column::LockedBy, Option::<String>::None.into())
            .col_expr(
                Column::LockedUntil,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .col_expr(
                Column::LastError,
                Some(error.chars().take(2000).collect::<String>()).into(),
            )
            .filter(Column::Id.eq(entry.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How many entries wait to be applied.
pub async fn pending(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert!(backoff(1) >= Duration::seconds(1) && backoff(1) < Duration::milliseconds(1250));
        assert!(backoff(3) >= Duration::seconds(4));
        assert!(backoff(30) <= Duration::minutes(5) + Duration::milliseconds(250));
    }
}
