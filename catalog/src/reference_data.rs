//! Reference data every installation needs, development or production: the districts,
//! the category tree with its default HSN codes and GST rates, and the GI register.
//! Kept as JSON under `data/reference/`, compiled in, and inserted where missing at
//! start-up. Rows that exist are never overwritten, so an admin's corrections stand.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AttributeDefinition, CatalogError,
    entity::{category, district, gi_tag},
};

const DISTRICTS_JSON: &str = include_str!("../../data/reference/districts.json");
const CATEGORIES_JSON: &str = include_str!("../../data/reference/categories.json");
const GI_TAGS_JSON: &str = include_str!("../../data/reference/gi_tags.json");

#[derive(Debug, Deserialize)]
struct ReferenceDistrict {
    name: String,
}

#[derive(Debug, Deserialize)]
struct ReferenceCategory {
    slug: String,
    name: String,
    parent_slug: Option<String>,
    hsn_code: String,
    gst_rate_bp: i32,
    is_food: bool,
    attribute_schema: Vec<AttributeDefinition>,
}

#[derive(Debug, Deserialize)]
struct ReferenceGiTag {
    slug: String,
    name: String,
    application_number: Option<String>,
    class_of_goods: Option<String>,
    goods_description: String,
    registered_proprietor: Option<String>,
    area_districts: Vec<String>,
    area_description: String,
    registration_date: Option<NaiveDate>,
    expiry_date: Option<NaiveDate>,
    facts_confirmed: bool,
    source_note: String,
    covered_categories: Vec<String>,
    hsn_prefixes: Vec<String>,
}

/// How many reference rows were added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceSummary {
    pub districts: usize,
    pub categories: usize,
    pub gi_tags: usize,
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| CatalogError::InvalidSeed(format!("{name}: {e}")))
}

/// Inserts whatever reference data is missing.
pub async fn ensure_reference_data(
    db: &impl ConnectionTrait,
) -> Result<ReferenceSummary, CatalogError> {
    let mut summary = ReferenceSummary::default();
    let now = Utc::now();

    let districts: Vec<ReferenceDistrict> = parse("districts.json", DISTRICTS_JSON)?;
    let existing: Vec<String> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    for reference in districts
        .into_iter()
        .filter(|d| !existing.contains(&d.name))
    {
        district::Entity::insert(district::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(reference.name),
            created_at: Set(now),
        })
        .exec(db)
        .await?;
        summary.districts += 1;
    }

    let categories: Vec<ReferenceCategory> = parse("categories.json", CATEGORIES_JSON)?;
    let mut ids: HashMap<String, Uuid> = category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.id))
        .collect();
    for (position, reference) in categories.into_iter().enumerate() {
        if ids.contains_key(&reference.slug) {
            continue;
        }
        let parent_id = match &reference.parent_slug {
            Some(parent) => Some(*ids.get(parent).ok_or_else(|| {
                CatalogError::InvalidSeed(format!(
                    "category {}: parent {parent} must come first",
                    reference.slug
                ))
            })?),
            None => None,
        };
        let id = Uuid::now_v7();
        category::Entity::insert(category::ActiveModel {
            id: Set(id),
            slug: Set(reference.slug.clone()),
            name: Set(reference.name),
            parent_id: Set(parent_id),
            hsn_code: Set(reference.hsn_code),
            gst_rate_bp: Set(reference.gst_rate_bp),
            attribute_schema: Set(serde_json::to_value(&reference.attribute_schema)
                .map_err(|e| CatalogError::InvalidSeed(e.to_string()))?),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            is_food: Set(reference.is_food),
        })
        .exec(db)
        .await?;
        ids.insert(reference.slug, id);
        summary.categories += 1;
    }

    let tags: Vec<ReferenceGiTag> = parse("gi_tags.json", GI_TAGS_JSON)?;
    let to_json = |list: &Vec<String>| {
        serde_json::to_value(list).map_err(|e| CatalogError::InvalidSeed(e.to_string()))
    };
    for reference in tags {
        let existing = gi_tag::Entity::find()
            .filter(gi_tag::Column::Slug.eq(reference.slug.as_str()))
            .one(db)
            .await?;
        if let Some(existing) = existing {
            // Covered goods came after the register itself: fill them in where they
            // were never set, leaving an admin's list alone.
            if existing.covered_categories.is_none() {
                gi_tag::Entity::update_many()
                    .col_expr(
                        gi_tag::Column::CoveredCategories,
                        Expr::value(to_json(&reference.covered_categories)?),
                    )
                    .col_expr(
                        gi_tag::Column::HsnPrefixes,
                        Expr::value(to_json(&reference.hsn_prefixes)?),
                    )
                    .filter(gi_tag::Column::Id.eq(existing.id))
                    .exec(db)
                    .await?;
            }
            continue;
        }
        gi_tag::Entity::insert(gi_tag::ActiveModel {
            id: Set(Uuid::now_v7()),
            slug: Set(reference.slug),
            name: Set(reference.name),
            application_number: Set(reference.application_number),
            class_of_goods: Set(reference.class_of_goods),
            goods_description: Set(reference.goods_description),
            registered_proprietor: Set(reference.registered_proprietor),
            area_districts: Set(serde_json::to_value(&reference.area_districts)
                .map_err(|e| CatalogError::InvalidSeed(e.to_string()))?),
            area_description: Set(reference.area_description),
            registration_date: Set(reference.registration_date),
            expiry_date: Set(reference.expiry_date),
            facts_confirmed: Set(reference.facts_confirmed),
            source_note: Set(reference.source_note),
            covered_categories: Set(Some(to_json(&reference.covered_categories)?)),
            hsn_prefixes: Set(Some(to_json(&reference.hsn_prefixes)?)),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(db)
        .await?;
        summary.gi_tags += 1;
    }
    Ok(summary)
}
