//! Self-service registration of buyers: the account and its verification mail commit
//! together, and an address that already has an account is answered like a new one
//! (its owner is told by mail instead).

use chrono::Utc;
use kernel::{Writer, begin_write};
use notifications::{Envelope, Language, Message};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    AccountError, Email, Role,
    account_tokens::request_email_verification,
    entity::user,
    password::hash_password,
    users::{NewAccount, User, insert_account, prepare_account},
};

/// Registers a self-service buyer. An address that already has an account is answered
/// exactly like a new one (the same shape, after the same password hashing), so that
/// registration cannot tell anyone which addresses have accounts; nothing is created
/// then, and the user returned is a stand-in whose id exists nowhere.
pub async fn register_buyer(
    db: &impl Writer,
    email: &str,
    password: &str,
    name: &str,
) -> Result<User, AccountError> {
    let created = async {
        let model = prepare_account(
            db,
            NewAccount {
                email: email.to_owned(),
                password: password.to_owned(),
                name: name.to_owned(),
                role: Role::Buyer,
                cooperative_id: None,
                cooperative_role: None,
                buyer_organisation_id: None,
            },
        )
        .await?;
        // The account and its verification mail commit together.
        let txn = begin_write(db).await?;
        let user = insert_account(&txn, model).await?;
        request_email_verification(&txn, &user).await?;
        txn.commit().await?;
        Ok(user)
    }
    .await;
    match created {
        Err(AccountError::EmailTaken) => {
            // The same work as a new registration, so that the answer's timing tells
            // nothing either.
            hash_password(password).await?;
            let email = Email::parse(email)?;
            tracing::info!("registration for an address that already has an account");
            tell_owner_of_registration_attempt(db, &email).await?;
            Ok(User {
                id: Uuid::now_v7(),
                email: email.as_str().to_owned(),
                name: name.trim().to_owned(),
                role: Role::Buyer,
                cooperative_id: None,
                cooperative_role: None,
                buyer_organisation_id: None,
                suspended_at: None,
                language: Language::default(),
                email_verified_at: None,
                created_at: Utc::now(),
            })
        }
        other => other,
    }
}

/// Tells the owner of a registered address that someone tried to register with it
/// ("sign in or reset your password"). At most one such message an hour per account:
/// the hour is part of the idempotency key, so a flood of attempts cannot flood the
/// owner's inbox.
async fn tell_owner_of_registration_attempt(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<(), AccountError> {
    let Some(owner) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
    else {
        // Registered and removed between the two reads: nobody to tell.
        return Ok(());
    };
    notifications::record(
        db,
        Envelope {
            key: format!(
                "registration-attempt:{}:{}",
                owner.id,
                Utc::now().format("%Y-%m-%dT%H")
            ),
            to: owner.email,
            user_id: Some(owner.id),
            language: owner.language,
            message: Message::RegistrationAttempt,
            attachments: Vec::new(),
        },
    )
    .await?;
    Ok(())
}
