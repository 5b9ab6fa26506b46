//! Names the GI law protects. Only a registered authorised user of a GI may use its
//! name on goods (GI Act s.21), so an active product of any other cooperative may not
//! carry it in its title, description or attributes. GIs registered outside Ladakh
//! ("Kashmir Pashmina", a J&K GI that Ladakh-woven goods may never carry) have no
//! authorised users here at all. The list is data: `data/reference/protected_names.json`.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::{CatalogError, FieldErrorCode, Product, entity::gi_tag, gi::authorised_users_of};
use kernel::FieldError;

const PROTECTED_NAMES_JSON: &str = include_str!("../../data/reference/protected_names.json");

/// A protected name and the GI that protects it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ProtectedName {
    pub name: String,
    pub gi_name: String,
    /// The GI in this register whose authorised users may use the name; none for GIs
    /// registered elsewhere, whose names nobody here may use.
    pub gi_slug: Option<String>,
}

pub(crate) fn protected_names() -> Result<Vec<ProtectedName>, CatalogError> {
    serde_json::from_str(PROTECTED_NAMES_JSON)
        .map_err(|e| CatalogError::InvalidSeed(format!("protected_names.json: {e}")))
}

/// Lower-cased words separated by single spaces, padded with a space each side, so that
/// a name matches whole words whatever the punctuation ("Raktsey-Karpo", "RAKTSEY  KARPO").
fn words(text: &str) -> String {
    let mut normal = String::with_capacity(text.len() + 2);
    normal.push(' ');
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        normal.push_str(&word.to_lowercase());
        normal.push(' ');
    }
    normal
}

/// The texts of a product a name may appear in, with their field paths.
fn texts(product: &Product) -> Vec<(String, String)> {
    let mut texts = vec![
        ("title".to_owned(), product.title.clone()),
        ("description".to_owned(), product.description.clone()),
    ];
    for (key, value) in &product.attributes {
        let mut strings = Vec::new();
        match value {
            serde_json::Value::String(text) => strings.push(text.clone()),
            serde_json::Value::Array(items) => strings.extend(
                items
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_owned),
            ),
            _ => {}
        }
        for text in strings {
            texts.push((format!("attributes.{key}"), text));
        }
    }
    texts
}

/// Which protected names a product uses without the right to, as field errors naming
/// the word and the GI. `allowed` says whether the cooperative may use a GI's name.
pub(crate) fn misused_names(
    product: &Product,
    names: &[ProtectedName],
    allowed: impl Fn(&ProtectedName) -> bool,
) -> Vec<FieldError> {
    let texts: Vec<(String, String)> = texts(product)
        .into_iter()
        .map(|(field, text)| (field, words(&text)))
        .collect();
    let mut problems = Vec::new();
    for name in names.iter().filter(|name| !allowed(name)) {
        let needle = words(&name.name);
        for (field, _) in texts.iter().filter(|(_, text)| text.contains(&needle)) {
            problems.push(FieldError::new(
                field,
                FieldErrorCode::NotAllowed,
                format!(
                    "\"{}\" is protected by the {} GI: only its authorised users may use it",
                    name.name, name.gi_name
                ),
            ));
        }
    }
    problems
}

/// The protected names an active product of this cooperative may not carry.
pub(crate) async fn protected_name_problems(
    db: &impl ConnectionTrait,
    product: &Product,
) -> Result<Vec<FieldError>, CatalogError> {
    let names = protected_names()?;
    let today = chrono::Utc::now().date_naive();
    let registrations = authorised_users_of(db, product.cooperative_id).await?;
    let valid_tag_ids: Vec<uuid::Uuid> = registrations
        .iter()
        .filter(|au| au.valid_on(today))
        .map(|au| au.gi_tag_id)
        .collect();
    let authorised_slugs: Vec<String> = gi_tag::Entity::find()
        .filter(gi_tag::Column::Id.is_in(valid_tag_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|tag| tag.slug)
        .collect();
    Ok(misused_names(product, &names, |name| {
        name.gi_slug
            .as_ref()
            .is_some_and(|slug| authorised_slugs.contains(slug))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(title: &str, description: &str, variety: &str) -> Product {
        let mut attributes = serde_json::Map::new();
        attributes.insert("variety".into(), serde_json::json!(variety));
        Product {
            id: uuid::Uuid::nil(),
            slug: "p".into(),
            title: title.into(),
            description: description.into(),
            cooperative_id: uuid::Uuid::nil(),
            category_id: uuid::Uuid::nil(),
            status: crate::ProductStatus::Active,
            attributes,
            images: vec![],
            declarations: Default::default(),
            procurement: Default::default(),
            hsn_code: None,
            min_price_paise: 0,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_reference_list_parses_and_names_are_matched_as_whole_words() {
        let names = protected_names().unwrap();
        assert!(
            names
                .iter()
                .any(|n| n.name == "Kashmir Pashmina" && n.gi_slug.is_none())
        );
        let shawl = product("Fine KASHMIR-pashmina shawl", "Woven in Leh.", "plain");
        let problems = misused_names(&shawl, &names, |_| false);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, ["title"]);
        assert!(problems[0].message.contains("\"Kashmir Pashmina\""));
        let apricots = product("Dried apricots", "From Sham.", "Raktsey Karpo");
        let fields: Vec<_> = misused_names(&apricots, &names, |_| false)
            .into_iter()
            .map(|p| p.field.join("."))
            .collect();
        assert_eq!(fields, ["attributes.variety"]);
        let authorised = misused_names(&apricots, &names, |n| {
            n.gi_slug.as_deref() == Some("raktsey-karpo-apricot")
        });
        assert!(authorised.is_empty());
        let near_miss = product("Kashmirpashmina lookalike", "", "plain");
        assert!(misused_names(&near_miss, &names, |_| false).is_empty());
    }
}
