//! The category tree. Each category carries its default HSN code and GST rate (as data,
//! since rates change) and the attribute schema its products are validated against.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{Actor, FieldErrorCode};
use kernel::FieldErrors;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{CatalogError, entity::category};

/// The value type of a category attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AttributeKind {
    Text,
    Number,
    Enum,
    Boolean,
}

/// One attribute that products of a category carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDefinition {
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
}

/// A category of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub hsn_code: String,
    /// GST rate in basis points: 500 is 5%.
    pub gst_rate_bp: i32,
    pub attribute_schema: Vec<AttributeDefinition>,
    pub position: i32,
    /// Food needs an FSSAI licence and a best-before declaration.
    pub is_food: bool,
}

impl TryFrom<category::Model> for Category {
    type Error = CatalogError;
    fn try_from(model: category::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            attribute_schema: serde_json::from_value(model.attribute_schema)
                .map_err(|e| CatalogError::Corrupt(format!("attribute schema: {e}")))?,
            id: model.id,
            slug: model.slug,
            name: model.name,
            parent_id: model.parent_id,
            hsn_code: model.hsn_code,
            gst_rate_bp: model.gst_rate_bp,
            position: model.position,
            is_food: model.is_food,
        })
    }
}

/// Every category, parents before children, in display order.
pub async fn list_categories(db: &impl ConnectionTrait) -> Result<Vec<Category>, CatalogError> {
    category::Entity::find()
        .order_by_asc(category::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(Category::try_from)
        .collect()
}

/// Loads categories by id in one query.
pub async fn categories_by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Category>, CatalogError> {
    category::Entity::find()
        .filter(category::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|model| Category::try_from(model).map(|c| (c.id, c)))
        .collect()
}

pub(crate) async fn find_category(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Category, CatalogError> {
    category::Entity::find()
        .filter(category::Column::Slug.eq(slug))
        .one(db)
        .await?
        .ok_or_else(|| CatalogError::CategoryNotFound(slug.to_owned()))
        .and_then(Category::try_from)
}

pub(crate) async fn category_by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Category, CatalogError> {
    category::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| CatalogError::CategoryNotFound(id.to_string()))
        .and_then(Category::try_from)
}

/// A category and its ancestors, root first.
pub(crate) fn category_path(categories: &[Category], leaf: Uuid) -> Vec<&Category> {
    let mut path = Vec::new();
    let mut current = categories.iter().find(|c| c.id == leaf);
    while let Some(category) = current {
        path.push(category);
        current = category
            .parent_id
            .and_then(|parent| categories.iter().find(|c| c.id == parent));
        // A cycle cannot be stored, but a corrupt tree must not loop forever.
        if path.len() > 16 {
            break;
        }
    }
    path.reverse();
    path
}

/// A category and every category below it.
pub(crate) fn descendants_of(categories: &[Category], root: Uuid) -> Vec<Uuid> {
    let mut found = vec![root];
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for child in categories.iter().filter(|c| c.parent_id == Some(parent)) {
            found.push(child.id);
            frontier.push(child.id);
        }
    }
    found
}

/// Corrections an admin makes to a category's tax data or attribute schema.
#[derive(Debug, Clone, Default)]
pub struct CategoryChanges {
    pub name: Option<String>,
    pub hsn_code: Option<String>,
    pub gst_rate_bp: Option<i32>,
    pub is_food: Option<bool>,
    pub attribute_schema: Option<Vec<AttributeDefinition>>,
}

/// Corrects a category (admins only): HSN codes and GST rates are data because they
/// change and some are unconfirmed.
pub async fn update_category(
    db: &impl kernel::Writer,
    actor: &Actor,
    slug: &str,
    changes: CategoryChanges,
) -> Result<Category, CatalogError> {
    in_transaction!(db, |txn| update_category_in(&txn, actor, slug, changes))
}

// The body of [`update_category`], inside the transaction it opens.
async fn update_category_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
    changes: CategoryChanges,
) -> Result<Category, CatalogError> {
    actor.require_admin()?;
    let mut category = find_category(db, slug).await?;
    let mut errors = FieldErrors::default();
    if let Some(name) = changes.name {
        if name.trim().is_empty() || name.chars().count() > 100 {
            errors.push(
                "name",
                FieldErrorCode::OutOfRange,
                "name must have 1 to 100 characters",
            );
        }
        category.name = name.trim().to_owned();
    }
    if let Some(hsn) = changes.hsn_code {
        if !matches!(hsn.len(), 4 | 6 | 8) || !hsn.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(
                "hsnCode",
                FieldErrorCode::Invalid,
                "HSN code must be 4, 6 or 8 digits",
            );
        }
        category.hsn_code = hsn;
    }
    if let Some(rate) = changes.gst_rate_bp {
        if !(0..=4_000).contains(&rate) {
            errors.push(
                "gstRateBp",
                FieldErrorCode::OutOfRange,
                "GST rate must be between 0 and 4000 basis points",
            );
        }
        category.gst_rate_bp = rate;
    }
    if let Some(is_food) = changes.is_food {
        category.is_food = is_food;
    }
    if let Some(schema) = changes.attribute_schema {
        for (index, definition) in schema.iter().enumerate() {
            let valid_key = !definition.key.is_empty()
                && definition
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_key {
                errors.push(
                    &format!("attributeSchema.{index}.key"),
                    FieldErrorCode::Invalid,
                    "attribute keys are lower_snake_case",
                );
            }
            if definition.kind == AttributeKind::Enum && definition.options.is_empty() {
                errors.push(
                    &format!("attributeSchema.{index}.options"),
                    FieldErrorCode::Required,
                    "an ENUM attribute needs options",
                );
            }
        }
        category.attribute_schema = schema;
    }
    errors.finish()?;
    let schema = serde_json::to_value(&category.attribute_schema)
        .map_err(|e| CatalogError::Corrupt(e.to_string()))?;
    category::Entity::update_many()
        .col_expr(category::Column::Name, category.name.clone().into())
        .col_expr(category::Column::HsnCode, category.hsn_code.clone().into())
        .col_expr(category::Column::GstRateBp, category.gst_rate_bp.into())
        .col_expr(category::Column::IsFood, category.is_food.into())
        .col_expr(
            category::Column::AttributeSchema,
            sea_orm::sea_query::Expr::value(schema),
        )
        .filter(category::Column::Id.eq(category.id))
        .exec(db)
        .await?;
    let all = list_categories(db).await?;
    let affected = descendants_of(&all, category.id);
    crate::changes::reindex_products_where(
        db,
        crate::entity::product::Column::CategoryId.is_in(affected),
    )
    .await?;
    Ok(category)
}

/// Checks product attributes against a category's schema: every required key present,
/// values of the declared kind, enum values among the options, and no unknown keys.
/// Returns one `(attribute key, message)` per problem.
pub fn validate_attributes(
    schema: &[AttributeDefinition],
    attributes: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for definition in schema {
        match attributes.get(&definition.key) {
            None | Some(serde_json::Value::Null) => {
                if definition.required {
                    problems.push((
                        definition.key.clone(),
                        format!("{} is required", definition.label),
                    ));
                }
            }
            Some(value) => {
                let fits = match definition.kind {
                    AttributeKind::Text => value.as_str().is_some_and(|s| !s.trim().is_empty()),
                    AttributeKind::Number => value.is_number(),
                    AttributeKind::Boolean => value.is_boolean(),
                    AttributeKind::Enum => value
                        .as_str()
                        .is_some_and(|s| definition.options.iter().any(|option| option == s)),
                };
                if !fits {
                    let expected = match definition.kind {
                        AttributeKind::Text => "a non-empty text".to_owned(),
                        AttributeKind::Number => "a number".to_owned(),
                        AttributeKind::Boolean => "true or false".to_owned(),
                        AttributeKind::Enum => format!("one of {}", definition.options.join(", ")),
                    };
                    problems.push((
                        definition.key.clone(),
                        format!("{} must be {expected}", definition.label),
                    ));
                }
            }
        }
    }
    for key in attributes.keys() {
        if !schema.iter().any(|definition| &definition.key == key) {
            problems.push((
                key.clone(),
                format!("{key} is not an attribute of this category"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apricot_schema() -> Vec<AttributeDefinition> {
        vec![
            AttributeDefinition {
                key: "variety".into(),
                label: "Variety".into(),
                kind: AttributeKind::Enum,
                required: true,
                options: vec!["Raktsey Karpo".into(), "Halman".into()],
            },
            AttributeDefinition {
                key: "net_weight_g".into(),
                label: "Net weight (g)".into(),
                kind: AttributeKind::Number,
                required: true,
                options: vec![],
            },
        ]
    }

    fn map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn conforming_attributes_pass() {
        let attrs = map(json!({"variety": "Halman", "net_weight_g": 500}));
        assert!(validate_attributes(&apricot_schema(), &attrs).is_empty());
    }

    #[test]
    fn each_problem_names_its_attribute() {
        let attrs = map(json!({"variety": "Mango", "colour": "orange"}));
        let keys: Vec<String> = validate_attributes(&apricot_schema(), &attrs)
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert_eq!(keys, ["variety", "net_weight_g", "colour"]);
    }
}
