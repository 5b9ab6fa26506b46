//! The platform's directory as admins read it: every user (filtered by role, by
//! suspension and by part of the email) and every buyer organisation, paged like every
//! other list. Who may read it is decided at the edge (admins only).

use kernel::{Page, PageRequest, paging::fetch_page};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use unicode_normalization::UnicodeNormalization;

use crate::{
    AccountError, BuyerOrganisation, Role, User,
    entity::{buyer_organisation, user},
};

/// Which users an admin lists; every part left `None` lets all through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// `Some(true)`: only suspended accounts; `Some(false)`: only active ones.
    pub suspended: Option<bool>,
    /// Part of the email, matched however it is cased (emails are stored normalised).
    pub email_contains: Option<String>,
}

/// A `LIKE` pattern matching `needle` anywhere, its wildcards taken literally: an
/// admin searching for `a_b` must not match `axb`.
fn contains_pattern(needle: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(needle.len().saturating_add(2));
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

/// Users matching `filter`, oldest first.
pub async fn list_users(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<User>, AccountError> {
    let mut select = user::Entity::find();
    if let Some(role) = filter.role {
        select = select.filter(user::Column::Role.eq(role));
    }
    match filter.suspended {
        Some(true) => select = select.filter(user::Column::SuspendedAt.is_not_null()),
        Some(false) => select = select.filter(user::Column::SuspendedAt.is_null()),
        None => {}
    }
    // Normalised as stored emails are, so `Alice@` finds `alice@`.
    let needle = filter
        .email_contains
        .as_deref()
        .map(|raw| raw.trim().nfkc().collect::<String>().to_lowercase())
        .filter(|needle| !needle.is_empty());
    if let Some(needle) = needle {
        select = select.filter(Expr::col(user::Column::Email).like(contains_pattern(&needle)));
    }
    let page = fetch_page(db, select, user::Column::Id, false, request, default_size).await?;
    page.try_map(|model| Ok::<_, AccountError>(User::from(model)))
}

/// Every buyer organisation, oldest first.
pub async fn list_buyer_organisations(
    db: &impl ConnectionTrait,
    request: PageRequest,
    default_size: u64,
) -> Result<Page<BuyerOrganisation>, AccountError> {
    let page = fetch_page(
        db,
        buyer_organisation::Entity::find(),
        buyer_organisation::Column::Id,
        false,
        request,
        default_size,
    )
    .await?;
    page.try_map(|model| {
        Ok::<_, AccountError>(BuyerOrganisation {
            id: model.id,
            name: model.name,
            kind: model.kind,
            gem_buyer_id: model.gem_buyer_id,
            created_at: model.created_at,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_in_the_needle_are_literal() {
        use sea_orm::{DbBackend, QueryTrait};
        let sql = user::Entity::find()
            .filter(Expr::col(user::Column::Email).like(contains_pattern("a_b%c")))
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(sql.contains(r"LIKE '%a\_b\%c%' ESCAPE '\'"), "{sql}");
    }
}
