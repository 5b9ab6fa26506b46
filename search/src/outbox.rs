//! The search outbox table: entries are enqueued inside the catalog's transactions and
//! claimed by workers with a lease, so that with several processes each entry is
//! applied by one worker at a time, and an entry whose worker died is picked up again
//! when its lease runs out.

use chrono::{Duration, Utc};
use kernel::queue::{Due, Failure, Queue, QueueColumns, RetryPolicy};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
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

/// The outbox as a [`kernel::queue::Queue`]: no dead letters, because the index must not
/// silently miss a change; failed entries are retried until they apply.
pub(crate) const QUEUE: Queue<Entity> = Queue::new(
    Entity,
    QueueColumns {
        id: Column::Id,
        locked_by: Column::LockedBy,
        locked_until: Column::LockedUntil,
        available_at: Some(Column::AvailableAt),
        attempts: Some(Column::Attempts),
        last_error: Some(Column::LastError),
        dead_at: None,
    },
);

/// Retries start after a second and double up to five minutes.
const RETRY: RetryPolicy = RetryPolicy {
    base: std::time::Duration::from_secs(1),
    cap: std::time::Duration::from_secs(300),
    max_attempts: None,
};

fn entry(model: entity::Model) -> OutboxEntry {
    OutboxEntry {
        id: model.id,
        product_id: model.product_id,
        attempts: model.attempts,
    }
}

/// Claims up to `limit` entries, oldest first, for `lease` (exclusive across workers).
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u64,
    lease: Duration,
) -> Result<Vec<OutboxEntry>, DbErr> {
    claim_due(db, worker, limit, lease, Due::Now).await
}

pub(crate) async fn claim_due(
    db: &impl ConnectionTrait,
    worker: &str,
    limit: u64,
    lease: Duration,
    due: Due,
) -> Result<Vec<OutboxEntry>, DbErr> {
    let lease = lease.to_std().unwrap_or(std::time::Duration::from_secs(60));
    Ok(QUEUE
        .claim(db, worker, limit, lease, due)
        .await?
        .into_iter()
        .map(entry)
        .collect())
}

/// Removes applied entries.
pub async fn complete(db: &impl ConnectionTrait, entries: &[OutboxEntry]) -> Result<(), DbErr> {
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    QUEUE.complete(db, &ids).await
}

/// Releases failed entries for a later try (see [`kernel::queue::backoff`]).
pub async fn retry_later(
    db: &impl ConnectionTrait,
    entries: &[OutboxEntry],
    error: &str,
) -> Result<(), DbErr> {
    for entry in entries {
        QUEUE
            .fail(db, entry.id, entry.attempts, Failure::Error(error), &RETRY)
            .await?;
    }
    Ok(())
}

/// How many entries wait to be applied.
pub async fn pending(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    QUEUE.pending(db).await
}
