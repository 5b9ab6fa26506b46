//! Keeping the index in step with the database: the outbox worker, the full rebuild
//! (`ladakh-market reindex`) and the consistency check (`ladakh-market search-check`).

use std::{collections::HashMap, sync::Arc};

use kernel::{
    queue::Due,
    worker::{Round, Task, TaskError},
};

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{ProductDocument, SearchError, SearchIndex, outbox};

/// Where search documents come from: the catalog, which knows what is public.
#[async_trait::async_trait]
pub trait DocumentSource: Send + Sync {
    /// The documents of those products that buyers may see; absent ids are not public
    /// (or gone) and must leave the index.
    async fn documents(
        &self,
        product_ids: &[Uuid],
    ) -> Result<HashMap<Uuid, ProductDocument>, SearchError>;
    /// Every product buyers may see.
    async fn public_product_ids(&self) -> Result<Vec<Uuid>, SearchError>;
}

/// Applies outbox entries to the index: a task of the process's
/// [`kernel::worker::WorkerSet`].
pub struct OutboxWorker {
    pub db: DatabaseConnection,
    pub index: Arc<dyn SearchIndex>,
    pub source: Arc<dyn DocumentSource>,
    pub worker_id: String,
    pub batch_size: u64,
    pub lease: chrono::Duration,
}

#[async_trait::async_trait]
impl Task for OutboxWorker {
    async fn run_once(&self, round: Round) -> Result<usize, TaskError> {
        Ok(self.apply_batch(round.due).await?)
    }
}

impl OutboxWorker {
    /// Applies one batch; returns how many entries it applied.
    pub async fn apply_batch(&self, due: Due) -> Result<usize, SearchError> {
        let entries =
            outbox::claim_due(&self.db, &self.worker_id, self.batch_size, self.lease, due).await?;
        if entries.is_empty() {
            return Ok(0);
        }
        let mut ids: Vec<Uuid> = entries.iter().map(|e| e.product_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let applied = async {
            let mut documents = self.source.documents(&ids).await?;
            let gone: Vec<Uuid> = ids
                .iter()
                .filter(|id| !documents.contains_key(id))
                .copied()
                .collect();
            // Most catalogue changes (a unit sold, a channel listing) leave the search
            // document as it was; writing it again would cost a commit and, under
            // checkout load, a stream of segment merges.
            let stored = self.index.fingerprints_of(&ids).await?;
            documents.retain(|id, document| stored.get(id) != Some(&document.fingerprint()));
            if !documents.is_empty() {
                self.index.upsert(documents.into_values().collect()).await?;
            }
            if !gone.is_empty() {
                self.index.delete(gone).await?;
            }
            Ok::<(), SearchError>(())
        }
        .await;
        match applied {
            Ok(()) => {
                outbox::complete(&self.db, &entries).await?;
                Ok(entries.len())
            }
            Err(error) => {
                tracing::warn!(error = %error, entries = entries.len(), "search outbox batch failed; will retry");
                outbox::retry_later(&self.db, &entries, &error.to_string()).await?;
                Err(error)
            }
        }
    }
}

/// Rebuilds the index from the database; `progress(done, total)` is called as it goes.
pub async fn reindex(
    index: &dyn SearchIndex,
    source: &dyn DocumentSource,
    progress: impl Fn(u64, u64),
) -> Result<u64, SearchError> {
    let ids = source.public_product_ids().await?;
    let total = u64::try_from(ids.len()).unwrap_or(u64::MAX);
    index.clear().await?;
    let mut done = 0_u64;
    for chunk in ids.chunks(500) {
        let documents = source.documents(chunk).await?;
        index.upsert(documents.into_values().collect()).await?;
        done += u64::try_from(chunk.len()).unwrap_or(0);
        progress(done, total);
    }
    Ok(done)
}

/// What differs between the index and the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    pub expected: usize,
    pub indexed: usize,
    /// Public products without a document.
    pub missing: Vec<Uuid>,
    /// Documents that differ from what the database says now.
    pub stale: Vec<Uuid>,
    /// Documents of products that are not public (or gone).
    pub extra: Vec<Uuid>,
}

impl CheckReport {
    pub fn is_consistent(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.extra.is_empty()
    }
}

/// Compares every document's fingerprint with the one the database gives now.
pub async fn check_index(
    index: &dyn SearchIndex,
    source: &dyn DocumentSource,
) -> Result<CheckReport, SearchError> {
    let indexed = index.fingerprints().await?;
    let ids = source.public_product_ids().await?;
    let mut report = CheckReport {
        expected: ids.len(),
        indexed: indexed.len(),
        ..CheckReport::default()
    };
    for chunk in ids.chunks(500) {
        let documents = source.documents(chunk).await?;
        for id in chunk {
            match (documents.get(id), indexed.get(id)) {
                (Some(_), None) => report.missing.push(*id),
                (Some(document), Some(fingerprint)) if document.fingerprint() != *fingerprint => {
                    report.stale.push(*id)
                }
                (None, Some(_)) => report.extra.push(*id),
                _ => {}
            }
        }
    }
    let expected: std::collections::HashSet<&Uuid> = ids.iter().collect();
    report
        .extra
        .extend(indexed.keys().filter(|id| !expected.contains(id)).copied());
    report.extra.sort_unstable();
    report.extra.dedup();
    Ok(report)
}
