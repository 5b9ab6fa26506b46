//! Products' uploaded images: a product shows an upload by its id (`mediaId`), only its
//! own cooperative's; an image an active product shows cannot be deleted until the
//! product shows another; uploads no product shows are swept after a while.
//!
//! The `media` crate keeps the bytes and the table; which product uses which image is
//! in the products' `images` lists, so the rules that join the two live here.

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use kernel::{
    Actor, FieldErrorCode, FieldErrors,
    worker::{Round, Task, TaskError},
};
use media::{Media, MediaStorage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::{CatalogError, ProductImage, entity::product, status::ProductStatus};

/// Fills the URL of every image given by `mediaId` (its full-size upload) after
/// checking that the upload exists and belongs to the product's cooperative.
pub(crate) async fn resolve_media_images(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
    images: &mut [ProductImage],
    errors: &mut FieldErrors,
) -> Result<(), CatalogError> {
    let ids: Vec<Uuid> = images.iter().filter_map(|i| i.media_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashMap<Uuid, Media> = media::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    for (index, image) in images.iter_mut().enumerate() {
        let Some(id) = image.media_id else { continue };
        match found.get(&id) {
            Some(upload) if upload.cooperative_id == cooperative_id => {
                image.url = upload.original.url();
            }
            _ => errors.push(
                &format!("images.{index}.mediaId"),
                FieldErrorCode::NotFound,
                "no such upload of this cooperative",
            ),
        }
    }
    Ok(())
}

/// The products that show each upload, with their status.
async fn usage(
    db: &impl ConnectionTrait,
    cooperative_id: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<(Uuid, ProductStatus)>>, CatalogError> {
    let mut query = product::Entity::find().select_only().columns([
        product::Column::Id,
        product::Column::Status,
        product::Column::Images,
    ]);
    if let Some(cooperative_id) = cooperative_id {
        query = query.filter(product::Column::CooperativeId.eq(cooperative_id));
    }
    let rows: Vec<(Uuid, ProductStatus, serde_json::Value)> = query.into_tuple().all(db).await?;
    let mut used: HashMap<Uuid, Vec<(Uuid, ProductStatus)>> = HashMap::new();
    for (product_id, status, images) in rows {
        let images: Vec<ProductImage> = serde_json::from_value(images)
            .map_err(|e| CatalogError::Corrupt(format!("images: {e}")))?;
        for media_id in images.iter().filter_map(|i| i.media_id) {
            used.entry(media_id).or_default().push((product_id, status));
        }
    }
    Ok(used)
}

/// Deletes an upload (its cooperative's staff and admins). Refused while an active
/// product shows it (replace it there first); drafts and archived products that show it
/// lose it from their image lists.
pub async fn delete_media(
    db: &DatabaseConnection,
    storage: &dyn MediaStorage,
    actor: &Actor,
    media_id: Uuid,
) -> Result<(), CatalogError> {
    actor.require_signed_in()?;
    let Some(upload) = media::find(db, media_id).await? else {
        return Err(CatalogError::Media(media::MediaError::NotFound));
    };
    // Someone else's upload is "no such upload", like one that does not exist.
    if !actor.can_manage(upload.cooperative_id) {
        return Err(CatalogError::Media(media::MediaError::NotFound));
    }
    let txn = kernel::begin_write(db).await?;
    let users = usage(&txn, Some(upload.cooperative_id))
        .await?
        .remove(&media_id)
        .unwrap_or_default();
    if users
        .iter()
        .any(|(_, status)| *status == ProductStatus::Active)
    {
        return Err(CatalogError::Conflict(
            "an active product shows this image: give the product another image first".to_owned(),
        ));
    }
    for (product_id, _) in users {
        let Some(row) = product::Entity::find_by_id(product_id).one(&txn).await? else {
            continue;
        };
        let images: Vec<ProductImage> = serde_json::from_value(row.images.clone())
            .map_err(|e| CatalogError::Corrupt(format!("images: {e}")))?;
        let kept: Vec<ProductImage> = images
            .into_iter()
            .filter(|i| i.media_id != Some(media_id))
            .collect();
        let mut row = row.into_active_model();
        row.images = Set(serde_json::to_value(&kept)
            .map_err(|e| CatalogError::Corrupt(format!("images: {e}")))?);
        row.updated_at = Set(Utc::now());
        row.update(&txn).await?;
    }
    media::remove_rows(&txn, media_id).await?;
    txn.commit().await?;
    media::remove_objects(storage, &upload).await?;
    Ok(())
}

/// Sweeps uploads that no product shows once they are `orphan_after` old: a task of the
/// worker runtime (every replica may run it; deleting twice is harmless).
pub struct MediaSweeper {
    pub db: DatabaseConnection,
    pub storage: Arc<dyn MediaStorage>,
    pub orphan_after: chrono::Duration,
}

/// Uploads looked at in one round: all old ones in practice (a cooperative has dozens),
/// so that old uploads in use never hide the orphans behind them.
const SWEEP_BATCH: u64 = 10_000;

#[async_trait::async_trait]
impl Task for MediaSweeper {
    async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
        let cutoff = Utc::now() - self.orphan_after;
        let old = media::uploaded_before(&self.db, cutoff, SWEEP_BATCH).await?;
        if old.is_empty() {
            return Ok(0);
        }
        let used = usage(&self.db, None).await?;
        let mut swept = 0;
        for upload in old.iter().filter(|m| !used.contains_key(&m.id)) {
            media::remove(&self.db, self.storage.as_ref(), upload).await?;
            tracing::info!(media = %upload.id, cooperative = %upload.cooperative_id, "swept an upload no product uses");
            swept += 1;
        }
        Ok(swept)
    }
}
