//! Districts of Ladakh, kept as data: the five districts announced in August 2024 may
//! change, so admins add districts rather than developers editing an enum.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, SqlErr,
};
use uuid::Uuid;

use crate::{Actor, CatalogError, FieldErrorCode, entity::district};

/// A district cooperatives and batches can be located in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub id: Uuid,
    pub name: String,
}

/// Every district, by name.
pub async fn list_districts(db: &impl ConnectionTrait) -> Result<Vec<District>, CatalogError> {
    Ok(district::Entity::find()
        .order_by_asc(district::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|model| District {
            id: model.id,
            name: model.name,
        })
        .collect())
}

/// A district filter as the catalogue spells it: names are matched whatever their
/// letter case ("leh" finds Leh's cooperatives), and a name no district has is kept as
/// given, to match nothing.
pub async fn district_filter(
    db: &impl ConnectionTrait,
    name: Option<String>,
) -> Result<Option<String>, CatalogError> {
    let Some(name) = name else {
        return Ok(None);
    };
    let wanted = name.trim().to_lowercase();
    let recorded = list_districts(db)
        .await?
        .into_iter()
        .map(|district| district.name)
        .find(|recorded| recorded.to_lowercase() == wanted);
    Ok(Some(recorded.unwrap_or(name)))
}

pub(crate) async fn district_exists(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<bool, CatalogError> {
    Ok(district::Entity::find()
        .filter(district::Column::Name.eq(name))
        .count(db)
        .await?
        > 0)
}

/// Adds a district (admins only).
pub async fn create_district(
    db: &impl ConnectionTrait,
    actor: &Actor,
    name: &str,
) -> Result<District, CatalogError> {
    actor.require_admin()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(CatalogError::invalid(
            "name",
            FieldErrorCode::OutOfRange,
            "name must have 1 to 100 characters",
        ));
    }
    let id = Uuid::now_v7();
    let inserted = district::Entity::insert(district::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec(db)
    .await;
    match inserted {
        Ok(_) => Ok(District {
            id,
            name: name.to_owned(),
        }),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(CatalogError::invalid(
                "name",
                FieldErrorCode::Taken,
                "this district exists already",
            ))
        }
        Err(error) => Err(error.into()),
    }
}
