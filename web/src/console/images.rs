//! A product's images on its console page: each shown with its stored sizes, a
//! photo taken with the phone's camera sent as a multipart form (no JavaScript),
//! stored through `mediaUpload` and shown on the product through `productUpdate`'s
//! `images`, and an image taken off again.

use serde::Deserialize;
use serde_json::{Value, json};

use super::forms::{Errors, Field};
use crate::{foundation::FormData, i18n::Tr};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Rendition {
    pub width: i64,
    pub height: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProductImage {
    pub url: String,
    pub alt: String,
    pub media_id: Option<String>,
    pub srcset: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub renditions: Vec<Rendition>,
}

impl ProductImage {
    /// What names the image in the remove form: its upload, else its link.
    pub fn key(&self) -> &str {
        self.media_id.as_deref().unwrap_or(&self.url)
    }

    /// The box the thumbnail is drawn in, 160 px wide, so the page does not jump.
    pub fn thumb_height(&self) -> i64 {
        match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 => h.saturating_mul(160) / w,
            _ => 160,
        }
    }

    /// Its stored sizes, for the staff to see that the smaller ones were made.
    pub fn sizes(&self) -> String {
        self.renditions
            .iter()
            .map(|r| format!("{}×{}", r.width, r.height))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The images a product keeps, as `ProductImageInput`s.
pub(crate) fn kept(images: &[ProductImage]) -> Vec<Value> {
    images
        .iter()
        .map(|image| match &image.media_id {
            Some(id) => json!({ "mediaId": id, "alt": image.alt }),
            None => json!({ "url": image.url, "alt": image.alt }),
        })
        .collect()
}

/// The images without the one `key` names; None when it names none of them.
pub(crate) fn without(images: &[ProductImage], key: &str) -> Option<Vec<Value>> {
    let position = images.iter().position(|image| image.key() == key)?;
    let mut rest = images.to_vec();
    rest.remove(position);
    Some(kept(&rest))
}

/// The upload form's alt-text field (the file input is drawn by the template: a
/// browser never keeps a chosen file after an error).
pub(crate) fn alt_field(t: &Tr, form: Option<&FormData>, errors: &Errors) -> Field {
    Field::new("alt", t.t("con-image-alt"), "text")
        .hint(t.t("con-image-alt-hint"))
        .required(true)
        .fill(form, "", errors)
}
