//! Users: registration and admin-created accounts (signing in is `login.rs`).

use chrono::{DateTime, Utc};
use kernel::{Writer, begin_write};
use notifications::{Envelope, Language, Message};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    SqlErr,
};
use uuid::Uuid;

use crate::{
    AccountError, CooperativeRole, Email, Role,
    account_tokens::request_email_verification,
    entity::user,
    organisations::organisation_exists,
    password::{check_password_policy, hash_password},
};

/// A user's id.
pub type UserId = Uuid;

/// A user as the rest of the system sees it; the password hash never leaves this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub cooperative_id: Option<Uuid>,
    pub cooperative_role: Option<CooperativeRole>,
    pub buyer_organisation_id: Option<Uuid>,
    /// When an admin suspended the account; a suspended account cannot sign in and its
    /// sessions stop working.
    pub suspended_at: Option<DateTime<Utc>>,
    /// The language of the messages the user is sent.
    pub language: Language,
    /// When the user proved the address is theirs (`emailVerify`).
    pub email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        Self {
            id: model.id,
            email: model.email,
            name: model.name,
            role: model.role,
            cooperative_role: model.cooperative_role,
            cooperative_id: model.cooperative_id,
            buyer_organisation_id: model.buyer_organisation_id,
            suspended_at: model.suspended_at,
            language: model.language,
            email_verified_at: model.email_verified_at,
            created_at: model.created_at,
        }
    }
}

/// An account that an admin (or the `admin create` command) creates.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub name: String,
    pub role: Role,
    /// Required for [`Role::Cooperative`]; the caller checks that the cooperative exists.
    pub cooperative_id: Option<Uuid>,
    pub cooperative_role: Option<CooperativeRole>,
    /// Required for [`Role::Institution`].
    pub buyer_organisation_id: Option<Uuid>,
}

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

/// Creates an account of any role after checking its fields against the role.
pub async fn create_account(
    db: &impl ConnectionTrait,
    new: NewAccount,
) -> Result<User, AccountError> {
    let model = prepare_account(db, new).await?;
    insert_account(db, model).await
}

/// Checks a new account's fields and hashes its password (slow: outside any write
/// transaction), giving the row to insert.
async fn prepare_account(
    db: &impl ConnectionTrait,
    new: NewAccount,
) -> Result<user::ActiveModel, AccountError> {
    let email = Email::parse(&new.email)?;
    check_password_policy(&new.password, email.as_str())?;
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AccountError::InvalidInput {
            field: "name",
            message: "name must have 1 to 200 characters".to_owned(),
        });
    }
    let (cooperative_id, cooperative_role) = match new.role {
        Role::Cooperative => {
            let Some(cooperative_id) = new.cooperative_id else {
                return Err(AccountError::InvalidInput {
                    field: "cooperativeId",
                    message: "cooperative staff must belong to a cooperative".to_owned(),
                });
            };
            (
                Some(cooperative_id),
                Some(new.cooperative_role.unwrap_or(CooperativeRole::Staff)),
            )
        }
        _ => (None, None),
    };
    let buyer_organisation_id = match new.role {
        Role::Institution => {
            let Some(organisation_id) = new.buyer_organisation_id else {
                return Err(AccountError::InvalidInput {
                    field: "buyerOrganisationId",
                    message: "institutional buyers must belong to a buyer organisation".to_owned(),
                });
            };
            if !organisation_exists(db, organisation_id).await? {
                return Err(AccountError::OrganisationNotFound);
            }
            Some(organisation_id)
        }
        _ => None,
    };
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AccountError::EmailTaken);
    }
    let password_hash = hash_password(&new.password).await?;
    let now = Utc::now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        name: Set(name),
        role: Set(new.role),
        cooperative_id: Set(cooperative_id),
        cooperative_role: Set(cooperative_role),
        buyer_organisation_id: Set(buyer_organisation_id),
        suspended_at: Set(None),
        language: Set(Language::default()),
        email_verified_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(model)
}

async fn insert_account(
    db: &impl ConnectionTrait,
    model: user::ActiveModel,
) -> Result<User, AccountError> {
    // The unique index decides races between two registrations of one email.
    match user::Entity::insert(model).exec_with_returning(db).await {
        Ok(inserted) => Ok(User::from(inserted)),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AccountError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// Loads a user by id.
pub async fn find_user(db: &impl ConnectionTrait, id: UserId) -> Result<User, AccountError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AccountError::UserNotFound)
        .map(User::from)
}

/// Counts platform admins, so that start-up can tell whether one has been created.
pub async fn count_admins(db: &impl ConnectionTrait) -> Result<u64, AccountError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin))
        .count(db)
        .await?)
}
