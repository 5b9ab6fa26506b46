//! One durable work queue over a database table, on SQLite and PostgreSQL alike.
//!
//! Producers insert rows inside the transaction of the change they record, so no work is
//! lost between a write and its consumer. Consumers [`Queue::claim`] a batch with a
//! lease (`locked_by`, `locked_until`): a row whose lease ran out (its worker died) is
//! claimable again, and on PostgreSQL several processes never hold one row at once.
//! A consumer then [`Queue::complete`]s rows (they are deleted), [`Queue::release`]s them
//! for the next claim, or [`Queue::fail`]s them: the row comes back after [`backoff`]
//! (or after a retry-after the caller was given), and after `max_attempts` it is
//! dead-lettered with its last error kept, until someone revives it.
//!
//! Each queue names its table's columns in a [`QueueColumns`]; the optional ones are
//! what a queue without scheduling, attempts or dead letters leaves out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

/// How much of an error message a row keeps.
const MAX_ERROR_CHARS: usize = 2000;

/// Which rows a claim may take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Due {
    /// Rows whose `available_at` has come: what workers take.
    #[default]
    Now,
    /// Rows waiting for a retry too, however far off it is: what a test's drain takes,
    /// so that it never waits for a backoff to pass.
    All,
}

/// The columns of a queue table. `id` is an `i64` key, in creation order.
#[derive(Debug, Clone, Copy)]
pub struct QueueColumns<C> {
    pub id: C,
    pub locked_by: C,
    pub locked_until: C,
    /// When a row may be claimed (a retry's time); claimable at once without it.
    pub available_at: Option<C>,
    /// How many times processing failed (an `i32`).
    pub attempts: Option<C>,
    pub last_error: Option<C>,
    /// When the row was given up on; rows are retried for ever without it.
    pub dead_at: Option<C>,
}

/// When to try a failed row again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first delay; it doubles with each failed attempt.
    pub base: Duration,
    pub cap: Duration,
    /// Dead-letter a row after this many failed attempts; never when None (or when the
    /// table has no `dead_at`).
    pub max_attempts: Option<i32>,
}

/// Why a row could not be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// A failed attempt: counted, and retried after [`backoff`].
    Error(&'a str),
    /// The other side asked to wait (e.g. HTTP 429 `Retry-After`): not counted as an
    /// attempt, retried after `wait`.
    RetryAfter { wait: Duration, error: &'a str },
}

/// What became of a failed row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    RetryAt(DateTime<Utc>),
    DeadLettered { attempts: i32 },
}

/// The delay before the next try of a row that has failed `attempts` times before this
/// failure: `base × 2^attempts`, capped at `cap`, plus up to half of it again as jitter,
/// so that rows failed together do not all come back at once.
pub fn backoff(attempts: i32, base: Duration, cap: Duration) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 30)).unwrap_or(0);
    let delay = base
        .saturating_mul(2_u32.saturating_pow(doublings))
        .min(cap);
    let jitter_ms = u64::try_from(delay.as_millis() / 2).unwrap_or(u64::MAX);
    delay.saturating_add(Duration::from_millis(
        rand::rng().random_range(0..=jitter_ms),
    ))
}

fn truncated(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

/// A queue table, described by its entity and columns.
#[derive(Debug, Clone, Copy)]
pub struct Queue<E: EntityTrait> {
    entity: E,
    columns: QueueColumns<E::Column>,
}

impl<E: EntityTrait> Queue<E> {
    pub const fn new(entity: E, columns: QueueColumns<E::Column>) -> Self {
        Self { entity, columns }
    }

    /// Rows nobody is working on now: unleased (or with a lapsed lease) and alive.
    pub fn idle(&self, now: DateTime<Utc>) -> Condition {
        let mut condition = Condition::all().add(
            Condition::any()
                .add(self.columns.locked_until.is_null())
                .add(self.columns.locked_until.lt(now)),
        );
        if let Some(dead_at) = self.columns.dead_at {
            condition = condition.add(dead_at.is_null());
        }
        condition
    }

    fn claimable(&self, now: DateTime<Utc>, due: Due) -> Condition {
        let mut condition = self.idle(now);
        if let (Due::Now, Some(available_at)) = (due, self.columns.available_at) {
            condition = condition.add(available_at.lte(now));
        }
        condition
    }

    /// Claims up to `limit` rows, oldest first, for `lease`. The claimable condition is
    /// repeated in the outer UPDATE so that PostgreSQL re-checks it on rows another
    /// worker claimed meanwhile: no row is handed to two workers at once.
    pub async fn claim(
        &self,
        db: &impl ConnectionTrait,
        worker: &str,
        limit: u64,
        lease: Duration,
        due: Due,
    ) -> Result<Vec<E::Model>, DbErr> {
        let now = Utc::now();
        let token = format!("{worker}:{}", Uuid::now_v7());
        let candidates = Query::select()
            .column(self.columns.id)
            .from(self.entity)
            .cond_where(self.claimable(now, due))
            .order_by(self.columns.id, Order::Asc)
            .limit(limit)
            .to_owned();
        E::update_many()
            .col_expr(self.columns.locked_by, Expr::value(Some(token.clone())))
            .col_expr(
                self.columns.locked_until,
                Expr::value(Some(now + chrono_duration(lease))),
            )
            .filter(self.columns.id.in_subquery(candidates))
            .filter(self.claimable(now, due))
            .exec(db)
            .await?;
        E::find()
            .filter(self.columns.locked_by.eq(token))
            .order_by(self.columns.id, Order::Asc)
            .all(db)
            .await
    }

    /// Removes processed rows.
    pub async fn complete(&self, db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
        for chunk in ids.chunks(500) {
            E::delete_many()
                .filter(self.columns.id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
        Ok(())
    }

    /// Gives claimed rows back for the next claim at once, rather than when their lease
    /// runs out, without counting an attempt.
    pub async fn release(&self, db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
        for chunk in ids.chunks(500) {
            E::update_many()
                .col_expr(self.columns.locked_by, Expr::value(Option::<String>::None))
                .col_expr(
                    self.columns.locked_until,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(self.columns.id.is_in(chunk.iter().copied()))
                .exec(db)
                .await?;
        }
        Ok(())
    }

    /// Records a failed attempt at row `id`, which had failed `attempts` times before:
    /// schedules the next try, or dead-letters the row when the policy says so.
    pub async fn fail(
        &self,
        db: &impl ConnectionTrait,
        id: i64,
        attempts: i32,
        failure: Failure<'_>,
        policy: &RetryPolicy,
    ) -> Result<Disposition, DbErr> {
        let now = Utc::now();
        let (attempts, wait, error) = match failure {
            Failure::Error(error) => {
                let wait = backoff(attempts, policy.base, policy.cap);
                (attempts.saturating_add(1), wait, error)
            }
            Failure::RetryAfter { wait, error } => (attempts, wait, error),
        };
        let dead_at = match (failure, policy.max_attempts, self.columns.dead_at) {
            (Failure::Error(_), Some(max), Some(dead_at)) if attempts >= max => Some(dead_at),
            _ => None,
        };
        let mut update = E::update_many()
            .col_expr(self.columns.locked_by, Expr::value(Option::<String>::None))
            .col_expr(
                self.columns.locked_until,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        if let Some(column) = self.columns.attempts {
            update = update.col_expr(column, Expr::value(attempts));
        }
        if let Some(column) = self.columns.last_error {
            update = update.col_expr(column, Expr::value(Some(truncated(error))));
        }
        let disposition = if let Some(column) = dead_at {
            update = update.col_expr(column, Expr::value(Some(now)));
            Disposition::DeadLettered { attempts }
        } else {
            let at = now + chrono_duration(wait);
            if let Some(column) = self.columns.available_at {
                update = update.col_expr(column, Expr::value(at));
            }
            Disposition::RetryAt(at)
        };
        update.filter(self.columns.id.eq(id)).exec(db).await?;
        Ok(disposition)
    }

    /// Rows waiting to be processed (dead letters not counted).
    pub async fn pending(&self, db: &impl ConnectionTrait) -> Result<u64, DbErr> {
        let mut query = E::find()
            .select_only()
            .column_as(self.columns.id.count(), "pending");
        if let Some(dead_at) = self.columns.dead_at {
            query = query.filter(dead_at.is_null());
        }
        let pending: Option<i64> = query.into_tuple().one(db).await?;
        Ok(pending.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(10);
        for _ in 0..50 {
            let first = backoff(0, base, cap);
            assert!(first >= base && first <= base * 3 / 2, "{first:?}");
            let third = backoff(2, base, cap);
            assert!(third >= base * 4 && third <= base * 6, "{third:?}");
            let late = backoff(30, base, cap);
            assert!(late >= cap && late <= cap * 3 / 2, "{late:?}");
        }
        assert_eq!(backoff(5, Duration::ZERO, cap), Duration::ZERO);
        assert!(backoff(-3, base, cap) <= base * 3 / 2);
        assert!(backoff(i32::MAX, Duration::from_secs(3600), Duration::MAX) >= Duration::ZERO);
    }
}
