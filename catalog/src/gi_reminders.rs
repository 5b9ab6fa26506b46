//! Reminding a cooperative that a GI authorisation runs out within 30 days (after the
//! date its products may no longer claim the GI): once per authorisation and expiry
//! date. A sweep (a periodic task of the worker runtime) marks the authorisation with
//! the expiry it reminds of and records the messages in one transaction, with a
//! compare-and-set on the mark, so replicas sweeping at once remind once, and a
//! renewed authorisation (a new expiry) is reminded of again.

use chrono::{Duration, NaiveDate};
use notifications::{Directory, Envelope, Language, Message, Recipient};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    AuthorisedUserStatus, CatalogError, cooperatives_by_ids,
    entity::{gi_authorised_user, gi_tag},
};

/// How long before its expiry an authorisation is reminded of.
pub const GI_EXPIRY_NOTICE_DAYS: i64 = 30;

/// One sweep over at most `limit` verified authorisations that expire between `today`
/// and 30 days later and were not yet reminded of that expiry; returns how many it
/// marked (each with a message to every staff member of its cooperative who has not
/// switched these reminders off, or to the cooperative's contact address while it has
/// no staff accounts).
pub async fn remind_expiring_authorisations(
    db: &DatabaseConnection,
    directory: &dyn Directory,
    today: NaiveDate,
    limit: u64,
) -> Result<usize, CatalogError> {
    let horizon = today + Duration::days(GI_EXPIRY_NOTICE_DAYS);
    let expiring = gi_authorised_user::Entity::find()
        .filter(gi_authorised_user::Column::Status.eq(AuthorisedUserStatus::Verified))
        .filter(gi_authorised_user::Column::ValidUntil.gte(today))
        .filter(gi_authorised_user::Column::ValidUntil.lte(horizon))
        .filter(
            Condition::any()
                .add(gi_authorised_user::Column::ExpiryRemindedFor.is_null())
                .add(
                    Expr::col(gi_authorised_user::Column::ExpiryRemindedFor)
                        .ne(Expr::col(gi_authorised_user::Column::ValidUntil)),
                ),
        )
        .order_by_asc(gi_authorised_user::Column::ValidUntil)
        .limit(limit)
        .all(db)
        .await?;
    let mut marked = 0;
    for authorisation in expiring {
        let valid_until = authorisation.valid_until;
        let txn = kernel::begin_write(db).await?;
        let claimed = gi_authorised_user::Entity::update_many()
            .col_expr(
                gi_authorised_user::Column::ExpiryRemindedFor,
                Expr::value(valid_until),
            )
            .filter(gi_authorised_user::Column::Id.eq(authorisation.id))
            .filter(gi_authorised_user::Column::ValidUntil.eq(valid_until))
            .filter(
                Condition::any()
                    .add(gi_authorised_user::Column::ExpiryRemindedFor.is_null())
                    .add(gi_authorised_user::Column::ExpiryRemindedFor.ne(valid_until)),
            )
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            txn.rollback().await?;
            continue;
        }
        let gi_name = gi_tag::Entity::find_by_id(authorisation.gi_tag_id)
            .one(&txn)
            .await?
            .map(|tag| tag.name)
            .ok_or(CatalogError::GiTagNotFound)?;
        let mut recipients = directory
            .cooperative_staff(&txn, authorisation.cooperative_id)
            .await?;
        if recipients.is_empty() {
            recipients.extend(
                cooperatives_by_ids(&txn, &[authorisation.cooperative_id])
                    .await?
                    .remove(&authorisation.cooperative_id)
                    .map(|c| c.contact_email.trim().to_lowercase())
                    .filter(|email| !email.is_empty())
                    .map(|email| Recipient {
                        user_id: None,
                        email,
                        language: Language::default(),
                    }),
            );
        }
        for to in recipients {
            notifications::record(
                &txn,
                Envelope {
                    key: format!(
                        "gi-expiring:{}:{valid_until}:{}",
                        authorisation.id, to.email
                    ),
                    to: to.email.clone(),
                    user_id: to.user_id,
                    language: to.language,
                    message: Message::GiAuthorisationExpiring {
                        gi_name: gi_name.clone(),
                        au_number: authorisation.au_number.clone(),
                        valid_until,
                    },
                    attachments: Vec::new(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        marked += 1;
    }
    Ok(marked)
}
