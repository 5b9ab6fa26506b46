//! Uploaded images over GraphQL: `mediaUpload` (the GraphQL multipart request spec,
//! `Upload`), `mediaDelete`, `media(id)`, and the sizes an image is served in
//! (`ProductImage` and `Media`: `url(width:)`, `srcset`, `renditions`).

use std::{io::Read, sync::Arc};

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};

use crate::graphql::{
    ApiError, UserError,
    context::ContextExt,
    errors::{respond, top_error},
    ids::parse_id,
};

/// Where uploads are kept, as the schema's data.
#[derive(Clone)]
pub struct MediaStore(pub Arc<dyn media::MediaStorage>);

fn storage<'a>(ctx: &'a Context<'_>) -> Result<&'a Arc<dyn media::MediaStorage>, ApiError> {
    ctx.data::<MediaStore>()
        .map(|store| &store.0)
        .map_err(|_| ApiError::Internal)
}

fn int(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The width asked for, if any: only positive widths mean something.
fn wanted(width: Option<i32>) -> Option<u32> {
    width.and_then(|w| u32::try_from(w).ok()).filter(|w| *w > 0)
}

/// One stored size of an uploaded image.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImageRendition {
    pub width: i32,
    pub height: i32,
    /// Its path on this server (`/media/…`), content-hashed: cacheable for ever.
    pub url: String,
    /// `image/jpeg`, or `image/webp` for images with transparency.
    pub content_type: String,
}

fn renditions_of(upload: &media::Media) -> Vec<ImageRendition> {
    upload
        .sizes()
        .into_iter()
        .map(|r| ImageRendition {
            width: int(r.width),
            height: int(r.height),
            url: r.url(),
            content_type: r.content_type().to_owned(),
        })
        .collect()
}

/// A product image: an upload of its cooperative, served in several sizes, or a linked
/// image at its URL.
#[derive(Clone, Debug)]
pub struct ProductImage {
    pub image: catalog::ProductImage,
    /// The upload behind it; None for a linked image.
    pub upload: Option<media::Media>,
}

#[Object]
impl ProductImage {
    /// The image at least `width` pixels wide where there is one (the largest there is
    /// otherwise); the full-size image without `width`. A linked image has one URL.
    async fn url(&self, width: Option<i32>) -> String {
        match &self.upload {
            Some(upload) => upload.best_for(wanted(width)).url(),
            None => self.image.url.clone(),
        }
    }

    async fn alt(&self) -> &str {
        &self.image.alt
    }

    /// The upload shown; null for a linked image.
    async fn media_id(&self) -> Option<ID> {
        self.image.media_id.map(|id| ID(id.to_string()))
    }

    /// The full-size image's width in pixels (uploads only), for `<img width>`.
    async fn width(&self) -> Option<i32> {
        self.upload.as_ref().map(|u| int(u.width()))
    }

    async fn height(&self) -> Option<i32> {
        self.upload.as_ref().map(|u| int(u.height()))
    }

    /// An HTML `srcset` of every size (uploads only): `/media/… 160w, …`.
    async fn srcset(&self) -> Option<String> {
        self.upload.as_ref().map(media::Media::srcset)
    }

    /// Every size, narrowest first (empty for a linked image).
    async fn renditions(&self) -> Vec<ImageRendition> {
        self.upload.as_ref().map(renditions_of).unwrap_or_default()
    }
}

/// The images of a product with their uploads, read in one statement (none when the
/// product shows linked images only).
pub(crate) async fn product_images(
    ctx: &Context<'_>,
    images: &[catalog::ProductImage],
) -> Result<Vec<ProductImage>> {
    let ids: Vec<uuid::Uuid> = images.iter().filter_map(|i| i.media_id).collect();
    let uploads = if ids.is_empty() {
        Vec::new()
    } else {
        media::find_many(ctx.db()?, &ids).await.map_err(top_error)?
    };
    Ok(images
        .iter()
        .map(|image| ProductImage {
            image: image.clone(),
            upload: image
                .media_id
                .and_then(|id| uploads.iter().find(|u| u.id == id).cloned()),
        })
        .collect())
}

/// An uploaded image.
pub struct Media(pub media::Media);

#[Object]
impl Media {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn cooperative_id(&self) -> ID {
        ID(self.0.cooperative_id.to_string())
    }

    async fn alt(&self) -> &str {
        &self.0.alt
    }

    /// The full-size image's width and height, upright.
    async fn width(&self) -> i32 {
        int(self.0.width())
    }

    async fn height(&self) -> i32 {
        int(self.0.height())
    }

    /// As `ProductImage.url`.
    async fn url(&self, width: Option<i32>) -> String {
        self.0.best_for(wanted(width)).url()
    }

    async fn srcset(&self) -> String {
        self.0.srcset()
    }

    /// Every size made so far, narrowest first.
    async fn renditions(&self) -> Vec<ImageRendition> {
        renditions_of(&self.0)
    }

    /// The smaller sizes have been made (in the background, after the upload).
    async fn renditions_ready(&self) -> bool {
        self.0.renditions_ready
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub struct MediaUploadInput {
    /// The cooperative the image belongs to (its staff and admins upload).
    pub cooperative_id: ID,
    /// A JPEG, PNG or WebP image of at most 10 MB and 40 megapixels.
    pub file: Upload,
    /// What the image shows, for screen readers (at most 300 characters).
    pub alt: String,
}

#[derive(SimpleObject)]
pub struct MediaUploadPayload {
    pub media: Option<Media>,
    pub errors: Vec<UserError>,
}

#[derive(InputObject)]
pub struct MediaDeleteInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct MediaDeletePayload {
    pub deleted_id: Option<ID>,
    pub errors: Vec<UserError>,
}

/// Reads an uploaded file (kept in a temporary file by the multipart reader, which has
/// already refused one over the limit while it streamed in).
async fn read_upload(
    ctx: &Context<'_>,
    file: &Upload,
) -> Result<actix_web::web::Bytes, media::MediaError> {
    let value = file
        .value(ctx)
        .map_err(|_| media::MediaError::Rejected(media::Rejection::Missing))?;
    let limit = media::MAX_UPLOAD_BYTES;
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        value
            .into_read()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| media::MediaError::Storage(format!("reading an upload: {e}")))?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(media::MediaError::Rejected(media::Rejection::TooLarge {
                max_bytes: limit,
            }));
        }
        Ok(actix_web::web::Bytes::from(bytes))
    })
    .await
    .map_err(|e| media::MediaError::Processing(e.to_string()))?
}

/// Stores an upload for a cooperative (shared by `mediaUpload` and `POST /media`).
pub(crate) async fn store_upload(
    db: &sea_orm::DatabaseConnection,
    storage: &dyn media::MediaStorage,
    actor: &kernel::Actor,
    cooperative_id: uuid::Uuid,
    bytes: actix_web::web::Bytes,
    alt: &str,
) -> Result<media::Media, catalog::CatalogError> {
    actor.require_manage(cooperative_id)?;
    if !catalog::cooperative_exists(db, cooperative_id).await? {
        return Err(catalog::CatalogError::CooperativeNotFound);
    }
    Ok(media::upload(db, storage, actor, cooperative_id, bytes, alt).await?)
}

#[derive(Default)]
pub struct MediaQuery;

#[Object]
impl MediaQuery {
    /// An upload, for its cooperative's staff and admins (others: NOT_FOUND).
    async fn media(&self, ctx: &Context<'_>, id: ID) -> Result<Media> {
        let id = parse_id("id", &id)?;
        let actor = ctx.actor()?;
        actor
            .require_signed_in()
            .map_err(|denied| top_error(catalog::CatalogError::from(denied)))?;
        match media::find(ctx.db()?, id).await.map_err(top_error)? {
            Some(upload) if actor.can_manage(upload.cooperative_id) => Ok(Media(upload)),
            _ => Err(ApiError::NotFound("media not found".to_owned()).into()),
        }
    }
}

#[derive(Default)]
pub struct MediaMutation;

#[Object]
impl MediaMutation {
    /// Uploads an image for a cooperative (its staff and admins), as a multipart
    /// request (the GraphQL multipart request spec). JPEG, PNG or WebP by content, at
    /// most 10 MB and 40 megapixels; stored upright without its metadata (GPS
    /// included); its smaller sizes follow in the background. Show it on a product
    /// with `images: [{ mediaId, alt }]`; an upload no product shows is deleted after a
    /// day.
    async fn media_upload(
        &self,
        ctx: &Context<'_>,
        input: MediaUploadInput,
    ) -> Result<MediaUploadPayload> {
        let cooperative_id = parse_id("cooperativeId", &input.cooperative_id)?;
        let actor = ctx.actor()?;
        actor
            .require_manage(cooperative_id)
            .map_err(|denied| top_error(catalog::CatalogError::from(denied)))?;
        let stored = match read_upload(ctx, &input.file).await {
            Ok(bytes) => {
                store_upload(
                    ctx.db()?,
                    storage(ctx)?.as_ref(),
                    &actor,
                    cooperative_id,
                    bytes,
                    &input.alt,
                )
                .await
            }
            Err(error) => Err(error.into()),
        };
        respond(stored, |upload, errors| MediaUploadPayload {
            media: upload.map(Media),
            errors,
        })
    }

    /// Deletes an upload (its cooperative's staff and admins). CONFLICT while an active
    /// product shows it: give the product another image first.
    async fn media_delete(
        &self,
        ctx: &Context<'_>,
        input: MediaDeleteInput,
    ) -> Result<MediaDeletePayload> {
        let id = parse_id("id", &input.id)?;
        let deleted =
            catalog::delete_media(ctx.db()?, storage(ctx)?.as_ref(), &ctx.actor()?, id).await;
        respond(deleted, |done, errors| MediaDeletePayload {
            deleted_id: done.map(|()| ID(id.to_string())),
            errors,
        })
    }
}
