//! Users: the account record, admin-created accounts and the checks every new account
//! passes (self-service registration is `registration.rs`, signing in `login.rs`).

use chrono::{DateTime, Utc};
use notifications::Language;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    SqlErr,
};
use uuid::Uuid;

use crate::{
    AccountError, CooperativeRole, Email, Role,
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
pub(crate) async fn prepare_account(
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

pub(crate) async fn insert_account(
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
