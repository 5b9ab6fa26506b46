//! The queue against a real schema: a temporary SQLite database with every migration
//! applied, on the channel outbox table (the one with every optional column).

use std::time::Duration;

use chrono::Utc;
use kernel::queue::{Disposition, Due, Failure, Queue, QueueColumns, RetryPolicy};
use sea_orm::{ActiveValue::Set, Database, DatabaseConnection, EntityTrait, QueryFilter};
use sea_orm_migration::MigratorTrait;

mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "channel_outbox")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub listing_id: Uuid,
        pub product_id: Uuid,
        pub channel: String,
        pub action: String,
        pub payload: Json,
        pub attempts: i32,
        pub available_at: DateTimeUtc,
        pub locked_by: Option<String>,
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub dead_at: Option<DateTimeUtc>,
        pub enqueued_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

const QUEUE: Queue<outbox::Entity> = Queue::new(
    outbox::Entity,
    QueueColumns {
        id: outbox::Column::Id,
        locked_by: outbox::Column::LockedBy,
        locked_until: outbox::Column::LockedUntil,
        available_at: Some(outbox::Column::AvailableAt),
        attempts: Some(outbox::Column::Attempts),
        last_error: Some(outbox::Column::LastError),
        dead_at: Some(outbox::Column::DeadAt),
    },
);

const POLICY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(60),
    cap: Duration::from_secs(600),
    max_attempts: Some(2),
};

async fn database() -> anyhow::Result<(tempfile::TempDir, DatabaseConnection)> {
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("queue.db").display()
    );
    let db = Database::connect(url).await?;
    migrations::Migrator::up(&db, None).await?;
    Ok((dir, db))
}

async fn enqueue(db: &DatabaseConnection, count: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    for _ in 0..count {
        outbox::Entity::insert(outbox::ActiveModel {
            listing_id: Set(uuid::Uuid::now_v7()),
            product_id: Set(uuid::Uuid::now_v7()),
            channel: Set("GEM".into()),
            action: Set("UPSERT".into()),
            payload: Set(serde_json::json!({})),
            attempts: Set(0),
            available_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            dead_at: Set(None),
            enqueued_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }
    Ok(())
}

#[tokio::test]
async fn claims_are_exclusive_until_the_lease_runs_out() -> anyhow::Result<()> {
    let (_dir, db) = database().await?;
    enqueue(&db, 5).await?;
    let lease = Duration::from_secs(60);
    let first = QUEUE.claim(&db, "a", 3, lease, Due::Now).await?;
    assert_eq!(first.len(), 3);
    assert!(first.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    let second = QUEUE.claim(&db, "b", 10, lease, Due::Now).await?;
    assert_eq!(second.len(), 2, "the rest, not the leased rows");
    assert!(QUEUE.claim(&db, "c", 10, lease, Due::Now).await?.is_empty());

    // A row given back comes back at once.
    let ids: Vec<i64> = first.iter().map(|m| m.id).collect();
    QUEUE.release(&db, &ids[..1]).await?;
    let released = QUEUE.claim(&db, "d", 10, lease, Due::Now).await?;
    assert_eq!(
        released.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    // A worker that died: once its lease has run out, its rows are claimable again.
    outbox::Entity::update_many()
        .col_expr(
            outbox::Column::LockedUntil,
            sea_orm::sea_query::Expr::value(Some(Utc::now() - chrono::Duration::seconds(1))),
        )
        .filter(sea_orm::ColumnTrait::eq(&outbox::Column::Id, ids[1]))
        .exec(&db)
        .await?;
    let again = QUEUE.claim(&db, "e", 10, lease, Due::Now).await?;
    assert_eq!(
        again.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[1]],
        "a lapsed lease is claimable"
    );

    QUEUE
        .complete(&db, &second.iter().map(|m| m.id).collect::<Vec<_>>())
        .await?;
    assert_eq!(QUEUE.pending(&db).await?, 3);
    Ok(())
}

#[tokio::test]
async fn failures_back_off_honour_retry_after_and_dead_letter() -> anyhow::Result<()> {
    let (_dir, db) = database().await?;
    enqueue(&db, 2).await?;
    let lease = Duration::from_secs(60);
    let rows = QUEUE.claim(&db, "w", 10, lease, Due::Now).await?;
    let (a, b) = (&rows[0], &rows[1]);

    // A counted failure waits for the backoff; Due::All takes it anyway.
    let before = Utc::now();
    let Disposition::RetryAt(at) = QUEUE
        .fail(&db, a.id, a.attempts, Failure::Error("HTTP 500"), &POLICY)
        .await?
    else {
        anyhow::bail!("dead-lettered too soon");
    };
    assert!(at >= before + chrono::Duration::seconds(60));
    // Retry-After: not an attempt, and its own wait.
    let Disposition::RetryAt(at) = QUEUE
        .fail(
            &db,
            b.id,
            b.attempts,
            Failure::RetryAfter {
                wait: Duration::from_secs(5),
                error: "HTTP 429",
            },
            &POLICY,
        )
        .await?
    else {
        anyhow::bail!("a retry-after is never a dead letter");
    };
    assert!(at < before + chrono::Duration::seconds(30));
    assert!(QUEUE.claim(&db, "w", 10, lease, Due::Now).await?.is_empty());
    let due_all = QUEUE.claim(&db, "w", 10, lease, Due::All).await?;
    assert_eq!(due_all.len(), 2);
    let a = due_all.iter().find(|m| m.id == a.id).cloned();
    let b = due_all.iter().find(|m| m.id == b.id).cloned();
    let (Some(a), Some(b)) = (a, b) else {
        anyhow::bail!("rows lost");
    };
    assert_eq!((a.attempts, b.attempts), (1, 0));
    assert_eq!(a.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(b.last_error.as_deref(), Some("HTTP 429"));

    // The second counted failure reaches max_attempts: a dead letter keeps its error.
    let disposition = QUEUE
        .fail(&db, a.id, a.attempts, Failure::Error("HTTP 503"), &POLICY)
        .await?;
    assert_eq!(disposition, Disposition::DeadLettered { attempts: 2 });
    let dead = outbox::Entity::find_by_id(a.id)
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the dead letter is kept"))?;
    assert!(dead.dead_at.is_some() && dead.locked_by.is_none());
    assert_eq!(dead.last_error.as_deref(), Some("HTTP 503"));
    QUEUE.release(&db, &[b.id]).await?;
    let left = QUEUE.claim(&db, "w", 10, lease, Due::All).await?;
    assert_eq!(
        left.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![b.id],
        "dead letters are never claimed"
    );
    assert_eq!(QUEUE.pending(&db).await?, 1);
    Ok(())
}
