//! Pushing channel jobs. Jobs are claimed with a lease (exclusive across processes);
//! only the newest job of a listing is sent, older ones are superseded. Each request
//! carries the job's id as the listing `version` and an `Idempotency-Key` derived from
//! it, so a retry is the same request. Failures are retried with exponential backoff and
//! jitter (the queue's, `kernel::queue`), `429` waits as long as `Retry-After` says, and a job that fails
//! `max_attempts` times is dead-lettered until someone retries it.

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use kernel::queue::{Disposition, Due, Failure, RetryPolicy};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    Channel, ConnectorError, ConnectorService,
    entity::{channel_listing, channel_outbox},
    outbox::{DELETE, QUEUE, UPSERT},
    state::{Desired, ListingState},
};

/// What one push round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub sent: usize,
    pub superseded: usize,
    pub retried: usize,
    pub dead_lettered: usize,
}

/// How a channel answered.
#[derive(Debug)]
enum Outcome {
    Applied {
        remote_id: Option<String>,
    },
    /// The channel already has a newer version.
    Stale,
    Rejected(Vec<String>),
    RetryAfter(Duration),
    Failed(String),
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), |s| Duration::from_secs(s.min(3600)))
}

impl ConnectorService {
    async fn send(&self, job: &channel_outbox::Model) -> Outcome {
        let Ok(channel) = job.channel.parse::<Channel>() else {
            return Outcome::Failed(format!("unknown channel {}", job.channel));
        };
        let Some(endpoint) = self.config(channel).endpoint else {
            return Outcome::Failed("the channel has no endpoint any more".into());
        };
        let url = format!(
            "{}/v1/listings/{}",
            endpoint.base_url.trim_end_matches('/'),
            job.product_id
        );
        let key = format!("{}-{}-{}", channel.slug(), job.product_id, job.id);
        let request = match job.action.as_str() {
            UPSERT => {
                let mut body = job.payload.clone();
                if let Some(obj) = body.as_object_mut() {
                    obj.insert("version".into(), json!(job.id));
                    obj.insert("channel".into(), json!(channel.as_str()));
                }
                self.http.put(&url).json(&body)
            }
            DELETE => self.http.delete(&url).query(&[("version", job.id)]),
            other => return Outcome::Failed(format!("unknown action {other}")),
        };
        let response = match request
            .bearer_auth(&endpoint.api_key)
            .header("Idempotency-Key", key)
            .send()
            .await
        {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return Outcome::Failed("timed out".into()),
            Err(e) => return Outcome::Failed(format!("request failed: {e}")),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match status {
            200..=299 => Outcome::Applied {
                remote_id: body
                    .get("remoteId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            404 if job.action == DELETE => Outcome::Applied { remote_id: None },
            409 => Outcome::Stale,
            422 => Outcome::Rejected(
                body.get("errors")
                    .and_then(Value::as_array)
                    .map(|errors| {
                        errors
                            .iter()
                            .map(|e| {
                                format!(
                                    "{}: {}",
                                    e.get("field").and_then(Value::as_str).unwrap_or("listing"),
                                    e.get("message")
                                        .and_then(Value::as_str)
                                        .unwrap_or("refused")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_else(|| vec!["refused by the channel".to_owned()]),
            ),
            429 => Outcome::RetryAfter(retry_after(&headers)),
            other => Outcome::Failed(format!("HTTP {other}")),
        }
    }

    /// One round: claims up to `limit` jobs (those due, or all with [`Due::All`]) and
    /// pushes the newest of each listing.
    pub async fn push_once(
        &self,
        worker: &str,
        limit: u64,
        due: Due,
    ) -> Result<PushReport, ConnectorError> {
        let lease = self.settings.request_timeout.saturating_mul(3);
        let jobs = QUEUE.claim(&self.db, worker, limit, lease, due).await?;
        let mut report = PushReport::default();
        if jobs.is_empty() {
            return Ok(report);
        }
        let mut newest: HashMap<Uuid, channel_outbox::Model> = HashMap::new();
        let mut superseded = Vec::new();
        for job in jobs {
            match newest.get(&job.listing_id) {
                Some(kept) if kept.id > job.id => superseded.push(job.id),
                Some(kept) => {
                    superseded.push(kept.id);
                    newest.insert(job.listing_id, job);
                }
                None => {
                    newest.insert(job.listing_id, job);
                }
            }
        }
        // A newer job waiting unclaimed (or claimed elsewhere) supersedes ours too.
        let mut to_send = Vec::new();
        for job in newest.into_values() {
            let newer = channel_outbox::Entity::find()
                .filter(channel_outbox::Column::ListingId.eq(job.listing_id))
                .filter(channel_outbox::Column::Id.gt(job.id))
                .filter(channel_outbox::Column::DeadAt.is_null())
                .one(&self.db)
                .await?;
            if newer.is_some() {
                superseded.push(job.id);
            } else {
                to_send.push(job);
            }
        }
        if !superseded.is_empty() {
            report.superseded = superseded.len();
            channel_outbox::Entity::delete_many()
                .filter(channel_outbox::Column::Id.is_in(superseded))
                .exec(&self.db)
                .await?;
        }
        let outcomes =
            futures_util::future::join_all(to_send.iter().map(|job| self.send(job))).await;
        for (job, outcome) in to_send.iter().zip(outcomes) {
            match outcome {
                Outcome::Applied { remote_id } => {
                    self.applied(job, remote_id).await?;
                    report.sent += 1;
                }
                Outcome::Stale => {
                    self.finish(job).await?;
                    report.sent += 1;
                }
                Outcome::Rejected(reasons) => {
                    self.rejected(job, reasons).await?;
                    report.sent += 1;
                }
                Outcome::RetryAfter(wait) => {
                    let error = "HTTP 429: rate limited";
                    let failure = Failure::RetryAfter { wait, error };
                    self.failed(job, failure, error).await?;
                    report.retried += 1;
                }
                Outcome::Failed(error) => {
                    match self.failed(job, Failure::Error(&error), &error).await? {
                        Disposition::DeadLettered { .. } => report.dead_lettered += 1,
                        Disposition::RetryAt(_) => report.retried += 1,
                    }
                }
            }
        }
        Ok(report)
    }

    async fn finish(&self, job: &channel_outbox::Model) -> Result<(), ConnectorError> {
        channel_outbox::Entity::delete_by_id(job.id)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn newer_pending(
        &self,
        db: &impl ConnectionTrait,
        job: &channel_outbox::Model,
    ) -> Result<bool, ConnectorError> {
        Ok(channel_outbox::Entity::find()
            .filter(channel_outbox::Column::ListingId.eq(job.listing_id))
            .filter(channel_outbox::Column::Id.gt(job.id))
            .one(db)
            .await?
            .is_some())
    }

    async fn applied(
        &self,
        job: &channel_outbox::Model,
        remote_id: Option<String>,
    ) -> Result<(), ConnectorError> {
        let txn = kernel::begin_write(&self.db).await?;
        channel_outbox::Entity::delete_by_id(job.id)
            .exec(&txn)
            .await?;
        // The channel now holds this or a later snapshot: older dead letters of the
        // listing are settled, and a retry must not send them again.
        channel_outbox::Entity::delete_many()
            .filter(channel_outbox::Column::ListingId.eq(job.listing_id))
            .filter(channel_outbox::Column::Id.lt(job.id))
            .filter(channel_outbox::Column::DeadAt.is_not_null())
            .exec(&txn)
            .await?;
        let listing = channel_listing::Entity::find_by_id(job.listing_id)
            .one(&txn)
            .await?;
        if let Some(listing) = listing
            && listing.last_synced_version.is_none_or(|v| v < job.id)
        {
            let newer = self.newer_pending(&txn, job).await?;
            let state = match (job.action.as_str(), newer) {
                (_, true) if listing.state == ListingState::Rejected => ListingState::Rejected,
                (UPSERT, true) => ListingState::OutOfSync,
                (UPSERT, false) => ListingState::Listed,
                (_, true) => ListingState::Pending,
                // A withdrawal of a refused product keeps its reasons visible.
                (_, false) if listing.desired != Desired::Delisted => ListingState::Rejected,
                (_, false) => ListingState::Delisted,
            };
            let remote = if job.action == DELETE {
                None
            } else {
                remote_id.or(listing.remote_id.clone())
            };
            channel_listing::Entity::update_many()
                .col_expr(channel_listing::Column::State, Expr::value(state.as_str()))
                .col_expr(channel_listing::Column::RemoteId, Expr::value(remote))
                .col_expr(
                    channel_listing::Column::LastSyncedVersion,
                    Expr::value(Some(job.id)),
                )
                .col_expr(
                    channel_listing::Column::LastSyncedAt,
                    Expr::value(Some(Utc::now())),
                )
                .col_expr(
                    channel_listing::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(channel_listing::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(channel_listing::Column::Id.eq(job.listing_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn rejected(
        &self,
        job: &channel_outbox::Model,
        reasons: Vec<String>,
    ) -> Result<(), ConnectorError> {
        let txn = kernel::begin_write(&self.db).await?;
        channel_outbox::Entity::delete_by_id(job.id)
            .exec(&txn)
            .await?;
        if !self.newer_pending(&txn, job).await? {
            channel_listing::Entity::update_many()
                .col_expr(
                    channel_listing::Column::State,
                    Expr::value(ListingState::Rejected.as_str()),
                )
                .col_expr(
                    channel_listing::Column::RejectionReasons,
                    Expr::value(Some(json!(reasons))),
                )
                .col_expr(
                    channel_listing::Column::LastSyncedVersion,
                    Expr::value(Some(job.id)),
                )
                .col_expr(
                    channel_listing::Column::LastSyncedAt,
                    Expr::value(Some(Utc::now())),
                )
                .col_expr(channel_listing::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(channel_listing::Column::Id.eq(job.listing_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Schedules a failed job's next try or dead-letters it, and shows why on the listing.
    async fn failed(
        &self,
        job: &channel_outbox::Model,
        failure: Failure<'_>,
        error: &str,
    ) -> Result<Disposition, ConnectorError> {
        let policy = RetryPolicy {
            base: self.settings.backoff_base,
            cap: self.settings.backoff_cap,
            max_attempts: Some(self.settings.max_attempts),
        };
        let disposition = QUEUE
            .fail(&self.db, job.id, job.attempts, failure, &policy)
            .await?;
        let shown = match disposition {
            Disposition::DeadLettered { attempts } => {
                tracing::warn!(job = job.id, listing = %job.listing_id, error, "channel push dead-lettered");
                format!("gave up after {attempts} attempts: {error}")
            }
            Disposition::RetryAt(_) => error.to_owned(),
        };
        channel_listing::Entity::update_many()
            .col_expr(
                channel_listing::Column::LastError,
                Expr::value(Some(shown.chars().take(500).collect::<String>())),
            )
            .filter(channel_listing::Column::Id.eq(job.listing_id))
            .exec(&self.db)
            .await?;
        Ok(disposition)
    }

    /// Jobs waiting (not dead-lettered), for tests and the consistency check.
    pub async fn pending_jobs(&self) -> Result<u64, ConnectorError> {
        Ok(QUEUE.pending(&self.db).await?)
    }
}
