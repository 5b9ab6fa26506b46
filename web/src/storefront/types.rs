//! The shapes of the GraphQL answers the pages read, and the small views templates use.

use serde::Deserialize;

use crate::money;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Money {
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Image {
    pub url: String,
    pub alt: String,
    /// An upload's sizes (`/media/… 160w, …`), for `srcset`; None for a linked image.
    #[serde(default)]
    pub srcset: Option<String>,
    /// An upload's full size, so that `<img width height>` keep the page from jumping.
    #[serde(default)]
    pub width: Option<i32>,
    #[serde(default)]
    pub height: Option<i32>,
}

impl Image {
    /// The `width` and `height` attributes of an image shown `width` pixels wide: its
    /// own proportions when known, 4:3 otherwise.
    pub fn box_for(&self, width: i32) -> (i32, i32) {
        match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => {
                let height = i64::from(width) * i64::from(h) / i64::from(w);
                (width, i32::try_from(height).unwrap_or(width))
            }
            _ => (width, width * 3 / 4),
        }
    }

    pub fn sizes(&self) -> Option<&str> {
        self.srcset.as_deref()
    }

    pub fn box_width(&self, width: i32) -> i32 {
        self.box_for(width).0
    }

    pub fn box_height(&self, width: i32) -> i32 {
        self.box_for(width).1
    }

    /// Only images served by this site are shown: a page never asks another origin for
    /// anything (the demo catalogue's placeholders live elsewhere and are left out).
    pub fn local(&self) -> bool {
        crate::session::local_path(&self.url).is_some()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GiTagRef {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GiClaim {
    pub valid_now: bool,
    pub gi_tag: GiTagRef,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CoopRef {
    pub slug: String,
    pub name: String,
    pub district: String,
    pub village: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StockRef {
    pub in_stock: bool,
}

/// A product in a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Card {
    pub slug: String,
    pub title: String,
    pub price_from: Money,
    pub cooperative: CoopRef,
    pub gi_claims: Vec<GiClaim>,
    pub images: Vec<Image>,
    pub variants: Vec<StockRef>,
}

pub(crate) const CARD_FIELDS: &str = "slug title priceFrom { amount } cooperative { slug name district village } giClaims { validNow giTag { name } } images { url(width: 320) alt srcset width height } variants { inStock }";

impl Card {
    pub fn price(&self) -> String {
        money::rupees(self.price_from.amount)
    }

    /// The GI named on the card: only a claim valid today.
    pub fn gi(&self) -> Option<&str> {
        self.gi_claims
            .iter()
            .find(|c| c.valid_now)
            .map(|c| c.gi_tag.name.as_str())
    }

    pub fn in_stock(&self) -> bool {
        self.variants.iter().any(|v| v.in_stock)
    }

    pub fn image(&self) -> Option<&Image> {
        self.images.iter().find(|i| i.local())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Nodes<T> {
    pub nodes: Vec<T>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserError {
    pub field: Vec<String>,
    pub message: String,
}

/// Field errors by the input field they name (the last path segment).
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn from_user_errors(errors: &[UserError]) -> Self {
        Self(
            errors
                .iter()
                .map(|e| {
                    (
                        e.field.last().cloned().unwrap_or_default(),
                        e.message.clone(),
                    )
                })
                .collect(),
        )
    }

    pub fn push(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }

    /// The error of one field, if any.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Errors that name no field of the form.
    pub fn general(&self, fields: &[&str]) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
