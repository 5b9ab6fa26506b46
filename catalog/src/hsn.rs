//! How many HSN digits a cooperative's documents must carry, and which of its products
//! fall short. Only entities and the closed sets are used here, so that both the
//! product and the cooperative use cases can call it.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    CatalogError, FieldErrorCode,
    entity::{category, product},
    status::TurnoverBand,
};
use kernel::FieldError;

/// The words for a band in messages.
fn band_words(band: TurnoverBand) -> &'static str {
    match band {
        TurnoverBand::UpTo5Crore => "up to Rs 5 crore",
        TurnoverBand::Above5Crore => "above Rs 5 crore",
    }
}

/// The problem, on `field`, with a product whose HSN code is `hsn` at a cooperative in
/// `band`, if the code is shorter than the band needs.
pub(crate) fn short_hsn_problem(
    field: &str,
    cooperative_name: &str,
    band: TurnoverBand,
    hsn: &str,
) -> Option<FieldError> {
    let needed = band.min_hsn_digits();
    (hsn.len() < needed).then(|| {
        FieldError::new(
            field,
            FieldErrorCode::NotAllowed,
            format!(
                "{cooperative_name}'s aggregate turnover is {}, so its invoices need HSN codes of at least {needed} digits (Notif. 78/2020-CT); {hsn} has {}: give the product a {needed}- or 8-digit hsnCode",
                band_words(band),
                hsn.len()
            ),
        )
    })
}

/// The slugs and HSN codes of the cooperative's products whose code (their own, else
/// their category's) is shorter than `band` needs, by slug.
pub(crate) async fn products_short_of(
    db: &impl ConnectionTrait,
    cooperative_id: Uuid,
    band: TurnoverBand,
) -> Result<Vec<(String, String)>, CatalogError> {
    let products = product::Entity::find()
        .filter(product::Column::CooperativeId.eq(cooperative_id))
        .order_by_asc(product::Column::Slug)
        .all(db)
        .await?;
    let category_ids: Vec<Uuid> = products.iter().map(|p| p.category_id).collect();
    let categories: HashMap<Uuid, String> = category::Entity::find()
        .filter(category::Column::Id.is_in(category_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.hsn_code))
        .collect();
    Ok(products
        .into_iter()
        .filter_map(|p| {
            let hsn = p
                .hsn_code
                .or_else(|| categories.get(&p.category_id).cloned())
                .unwrap_or_default();
            (hsn.len() < band.min_hsn_digits()).then_some((p.slug, hsn))
        })
        .collect())
}
