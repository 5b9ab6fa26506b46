//! Product and cooperative photos: checked and cleaned uploads ([`process`]), their
//! storage behind one trait ([`storage`]: the local disk or an S3-compatible bucket),
//! the `media` table, and the renditions made once in the background through the
//! kernel's work queue ([`Renditions`]).
//!
//! An upload is stored at once as its "original": the picture turned upright and
//! encoded afresh, so no metadata of the phone's file (GPS among it) is ever stored.
//! Its renditions (160, 320, 640 and 1280 px wide, never enlarged) follow from the
//! queue. Every stored object's name holds a hash of its bytes, so its URL can be cached
//! for ever. Who may use an image (products) is the catalog's business: it deletes
//! media only when no active product shows them, and sweeps uploads nobody used.

mod entity;
mod error;
pub mod process;
pub mod storage;

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use kernel::{
    Actor,
    queue::{Disposition, Failure, Queue, QueueColumns, RetryPolicy},
    worker::{Round, Task, TaskError},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use entity::{media, media_job};
pub use error::{MediaError, Rejection};
pub use process::{MAX_PIXELS, MAX_UPLOAD_BYTES, RENDITION_WIDTHS, SourceFormat, StoredFormat};
pub use storage::{MediaStorage, ObjectStorage, S3Settings, StoredObject};

/// The longest alt text, as for linked product images.
pub const MAX_ALT_CHARS: usize = 300;

/// The media work queue as a [`kernel::queue::Queue`].
const QUEUE: Queue<media_job::Entity> = Queue::new(
    media_job::Entity,
    QueueColumns {
        id: media_job::Column::Id,
        locked_by: media_job::Column::LockedBy,
        locked_until: media_job::Column::LockedUntil,
        available_at: Some(media_job::Column::AvailableAt),
        attempts: Some(media_job::Column::Attempts),
        last_error: Some(media_job::Column::LastError),
        dead_at: Some(media_job::Column::DeadAt),
    },
);

/// One stored size of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub format: StoredFormat,
    /// The storage key, `<media id>/<width>w-<hash>.<ext>`; also its URL path under
    /// `/media/`.
    pub key: String,
}

impl Rendition {
    /// Its URL path on this server.
    pub fn url(&self) -> String {
        format!("/media/{}", self.key)
    }

    pub const fn content_type(&self) -> &'static str {
        self.format.content_type()
    }
}

/// An uploaded image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub uploaded_by: Option<Uuid>,
    pub alt: String,
    /// What was uploaded (the stored files are JPEG or WebP whatever it was).
    pub source_format: SourceFormat,
    /// The full-size image, upright and without metadata.
    pub original: Rendition,
    /// The smaller sizes made so far, narrowest first.
    pub renditions: Vec<Rendition>,
    /// The background work is done: every size there is to make exists.
    pub renditions_ready: bool,
    pub created_at: DateTime<Utc>,
}

impl Media {
    pub const fn width(&self) -> u32 {
        self.original.width
    }

    pub const fn height(&self) -> u32 {
        self.original.height
    }

    /// Every size there is, the original included, narrowest first.
    pub fn sizes(&self) -> Vec<&Rendition> {
        let mut sizes: Vec<&Rendition> = self.renditions.iter().collect();
        sizes.push(&self.original);
        sizes.sort_by_key(|r| r.width);
        sizes
    }

    /// The narrowest size at least `width` wide (the widest there is when none is);
    /// the original without a width.
    pub fn best_for(&self, width: Option<u32>) -> &Rendition {
        let Some(width) = width else {
            return &self.original;
        };
        let sizes = self.sizes();
        sizes
            .iter()
            .find(|r| r.width >= width)
            .or_else(|| sizes.last())
            .copied()
            .unwrap_or(&self.original)
    }

    /// An HTML `srcset`: every size as `<url> <width>w`.
    pub fn srcset(&self) -> String {
        self.sizes()
            .iter()
            .map(|r| format!("{} {}w", r.url(), r.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every storage key of this image.
    fn keys(&self) -> Vec<String> {
        self.sizes().iter().map(|r| r.key.clone()).collect()
    }
}

impl TryFrom<media::Model> for Media {
    type Error = MediaError;

    fn try_from(model: media::Model) -> Result<Self, Self::Error> {
        let corrupt =
            |what: &str, e: serde_json::Error| MediaError::Corrupt(format!("{what}: {e}"));
        Ok(Self {
            id: model.id,
            cooperative_id: model.cooperative_id,
            uploaded_by: model.uploaded_by,
            alt: model.alt,
            source_format: SourceFormat::parse(&model.source_format).ok_or_else(|| {
                MediaError::Corrupt(format!("source format {}", model.source_format))
            })?,
            original: serde_json::from_value(model.original).map_err(|e| corrupt("original", e))?,
            renditions: serde_json::from_value(model.renditions)
                .map_err(|e| corrupt("renditions", e))?,
            renditions_ready: model.renditions_ready,
            created_at: model.created_at,
        })
    }
}

/// The key of a stored size: the media's id, the width and a hash of the bytes, so a
/// changed image is a new URL and an old URL's bytes never change.
fn key_of(media_id: Uuid, encoded: &process::Encoded) -> String {
    let digest = Sha256::digest(&encoded.bytes);
    let hash = hex::encode(digest.get(..8).unwrap_or_default());
    format!(
        "{media_id}/{}w-{hash}.{}",
        encoded.width,
        encoded.format.extension()
    )
}

/// Whether `key` is one this crate makes (`<uuid>/<digits>w-<16 hex>.<jpg|webp>`), and
/// so safe to look up: anything else is "not found" without asking the storage.
pub fn is_media_key(key: &str) -> bool {
    let Some((id, file)) = key.split_once('/') else {
        return false;
    };
    let Some((stem, extension)) = file.rsplit_once('.') else {
        return false;
    };
    let Some((width, hash)) = stem.split_once("w-") else {
        return false;
    };
    Uuid::parse_str(id).is_ok()
        && StoredFormat::from_extension(extension).is_some()
        && !width.is_empty()
        && width.len() <= 5
        && width.bytes().all(|b| b.is_ascii_digit())
        && hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The content type of a stored object by its key.
pub fn content_type_of_key(key: &str) -> Option<&'static str> {
    let (_, extension) = key.rsplit_once('.')?;
    StoredFormat::from_extension(extension).map(StoredFormat::content_type)
}

fn to_i32(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

fn json(value: &impl Serialize) -> Result<serde_json::Value, MediaError> {
    serde_json::to_value(value).map_err(|e| MediaError::Corrupt(e.to_string()))
}

/// Runs CPU-bound image work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, MediaError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| MediaError::Processing(e.to_string()))
}

/// Checks alt text: screen readers and GeM's reviewers need it.
pub fn check_alt(alt: &str) -> Result<String, MediaError> {
    let alt = alt.trim();
    if alt.is_empty() || alt.chars().count() > MAX_ALT_CHARS {
        return Err(MediaError::InvalidAlt(format!(
            "every image needs alt text of at most {MAX_ALT_CHARS} characters"
        )));
    }
    Ok(alt.to_owned())
}

/// Stores an upload for `cooperative_id` (its staff and admins only): checked, turned
/// upright, stripped of metadata and saved as the original; its renditions are queued.
/// The caller checks that the cooperative exists.
pub async fn upload(
    db: &DatabaseConnection,
    storage: &dyn MediaStorage,
    actor: &Actor,
    cooperative_id: Uuid,
    bytes: Bytes,
    alt: &str,
) -> Result<Media, MediaError> {
    actor.require_manage(cooperative_id)?;
    let alt = check_alt(alt)?;
    let encoded = blocking(move || {
        let accepted = process::accept(&bytes)?;
        let encoded =
            process::encode(&accepted.image).map_err(|e| MediaError::Processing(e.to_string()))?;
        Ok::<_, MediaError>((accepted.source, encoded))
    })
    .await??;
    let (source, encoded) = encoded;
    let id = Uuid::now_v7();
    let original = Rendition {
        width: encoded.width,
        height: encoded.height,
        format: encoded.format,
        key: key_of(id, &encoded),
    };
    storage
        .put(&original.key, Bytes::from(encoded.bytes))
        .await?;
    let now = Utc::now();
    let model = media::ActiveModel {
        id: Set(id),
        cooperative_id: Set(cooperative_id),
        uploaded_by: Set(actor.user_id()),
        alt: Set(alt),
        source_format: Set(source.as_str().to_owned()),
        width: Set(to_i32(original.width)),
        height: Set(to_i32(original.height)),
        original: Set(json(&original)?),
        renditions: Set(json(&Vec::<Rendition>::new())?),
        renditions_ready: Set(false),
        created_at: Set(now),
    };
    let job = media_job::ActiveModel {
        media_id: Set(id),
        attempts: Set(0),
        available_at: Set(now),
        enqueued_at: Set(now),
        ..Default::default()
    };
    let saved = async {
        let txn = db.begin().await?;
        let row = model.insert(&txn).await?;
        job.insert(&txn).await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(row)
    }
    .await;
    match saved {
        Ok(row) => Media::try_from(row),
        Err(error) => {
            // Nothing refers to the object: take it away again.
            if let Err(cleanup) = storage.delete(&original.key).await {
                tracing::warn!(error = %cleanup, key = %original.key, "an unsaved upload's object was left behind");
            }
            Err(error.into())
        }
    }
}

/// An image by id, whoever asks (callers decide who may see it).
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Media>, MediaError> {
    media::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Media::try_from)
        .transpose()
}

/// Images by id, in no particular order; missing ones are left out.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Media>, MediaError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::Entity::find()
        .filter(media::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Media::try_from)
        .collect()
}

/// Images uploaded before `cutoff`, oldest first: the candidates for the orphan sweep.
pub async fn uploaded_before(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Media>, MediaError> {
    media::Entity::find()
        .filter(media::Column::CreatedAt.lt(cutoff))
        .order_by_asc(media::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Media::try_from)
        .collect()
}

/// Deletes an image's row, its queued work and then its stored objects. Who may, and
/// whether it is still in use, is for the caller to have checked.
pub async fn remove(
    db: &impl ConnectionTrait,
    storage: &dyn MediaStorage,
    media: &Media,
) -> Result<(), MediaError> {
    remove_rows(db, media.id).await?;
    remove_objects(storage, media).await
}

/// Deletes an image's row and queued work (inside the caller's transaction); its
/// objects go with [`remove_objects`] once that has committed.
pub async fn remove_rows(db: &impl ConnectionTrait, id: Uuid) -> Result<(), MediaError> {
    media_job::Entity::delete_many()
        .filter(media_job::Column::MediaId.eq(id))
        .exec(db)
        .await?;
    media::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Deletes an image's stored objects (after its row is gone).
pub async fn remove_objects(storage: &dyn MediaStorage, media: &Media) -> Result<(), MediaError> {
    for key in media.keys() {
        storage.delete(&key).await?;
    }
    Ok(())
}

/// Makes the renditions of queued uploads: a task of the worker runtime.
pub struct Renditions {
    pub db: DatabaseConnection,
    pub storage: Arc<dyn MediaStorage>,
    pub worker_id: String,
}

/// Uploads worked on in one round.
const BATCH: u64 = 2;
/// How long a claimed upload is ours: resizing a 40-megapixel photo takes seconds.
const LEASE: Duration = Duration::from_secs(300);
const RETRY: RetryPolicy = RetryPolicy {
    base: Duration::from_secs(5),
    cap: Duration::from_secs(3600),
    max_attempts: Some(8),
};

impl Renditions {
    /// Makes and stores the missing renditions of one image and records them.
    async fn render(&self, media_id: Uuid) -> Result<(), MediaError> {
        let Some(media) = find(&self.db, media_id).await? else {
            // Deleted meanwhile: nothing to do.
            return Ok(());
        };
        if media.renditions_ready {
            return Ok(());
        }
        let original = self
            .storage
            .get(&media.original.key)
            .await?
            .ok_or_else(|| MediaError::Storage(format!("{} is missing", media.original.key)))?;
        let encoded = blocking(move || {
            let image = process::decode_stored(&original.bytes)
                .map_err(|e| MediaError::Processing(e.to_string()))?;
            process::rendition_widths(image.width())
                .map(|width| {
                    process::encode(&process::resize_to_width(&image, width))
                        .map_err(|e| MediaError::Processing(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await??;
        let mut renditions = Vec::new();
        for encoded in encoded {
            let rendition = Rendition {
                width: encoded.width,
                height: encoded.height,
                format: encoded.format,
                key: key_of(media.id, &encoded),
            };
            self.storage
                .put(&rendition.key, Bytes::from(encoded.bytes))
                .await?;
            renditions.push(rendition);
        }
        let mut row = media::Entity::find_by_id(media.id)
            .one(&self.db)
            .await?
            .ok_or(MediaError::NotFound)?
            .into_active_model();
        row.renditions = Set(json(&renditions)?);
        row.renditions_ready = Set(true);
        row.update(&self.db).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Task for Renditions {
    async fn run_once(&self, round: Round) -> Result<usize, TaskError> {
        let jobs = QUEUE
            .claim(&self.db, &self.worker_id, BATCH, LEASE, round.due)
            .await?;
        let count = jobs.len();
        for job in jobs {
            match self.render(job.media_id).await {
                Ok(()) => QUEUE.complete(&self.db, &[job.id]).await?,
                Err(error) => {
                    let message = error.to_string();
                    let disposition = QUEUE
                        .fail(
                            &self.db,
                            job.id,
                            job.attempts,
                            Failure::Error(&message),
                            &RETRY,
                        )
                        .await?;
                    match disposition {
                        Disposition::RetryAt(at) => {
                            tracing::warn!(media = %job.media_id, error = %message, retry_at = %at, "renditions failed; retrying");
                        }
                        Disposition::DeadLettered { attempts } => {
                            tracing::error!(media = %job.media_id, error = %message, attempts, "renditions failed for good; dead-lettered");
                        }
                    }
                }
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_this_crate_makes_are_looked_up() {
        let id = Uuid::now_v7();
        assert!(is_media_key(&format!("{id}/160w-0123456789abcdef.jpg")));
        assert!(is_media_key(&format!("{id}/1280w-0123456789abcdef.webp")));
        for bad in [
            format!("{id}/160w-0123456789abcdef.png"),
            format!("{id}/../160w-0123456789abcdef.jpg"),
            format!("{id}/160w-0123456789ABCDEF.jpg"),
            format!("{id}/w-0123456789abcdef.jpg"),
            "x/160w-0123456789abcdef.jpg".to_owned(),
            format!("{id}/160w-0123456789abcdef.jpg/x"),
        ] {
            assert!(!is_media_key(&bad), "{bad}");
        }
    }
}
