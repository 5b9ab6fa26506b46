//! The category tree. Each category carries its default HSN code and GST rate (as data,
//! since rates change) and the attribute schema its products are validated against.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
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
