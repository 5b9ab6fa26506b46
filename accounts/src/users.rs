//! Users: registration, admin-created accounts and password authentication with
//! throttling of repeated failures.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, SqlErr,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    AccountError, CooperativeRole, Email, Role,
    entity::user,
    organisations::organisation_exists,
    password::{check_password_policy, hash_password, verify_against_decoy, verify_password},
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

/// How repeated failed logins of one account are slowed down.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    /// Failures allowed before the account is locked for a while.
    pub free_failures: i32,
    /// The first lock; each further failure doubles it.
    pub first_lock: Duration,
    pub longest_lock: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_lock: Duration::seconds(30),
            longest_lock: Duration::minutes(15),
        }
    }
}

impl LoginThrottle {
    fn lock_after(&self, failures: i32) -> Option<Duration> {
        let over = failures - self.free_failures;
        if over < 0 {
            return None;
        }
        let doublings = std::cmp::min(u32::try_from(over).unwrap_or(0), 16);
        let lock = self.first_lock * 2_i32.pow(doublings);
        Some(lock.min(self.longest_lock))
    }
}

/// Registers a self-service buyer.
pub async fn register_buyer(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
    name: &str,
) -> Result<User, AccountError> {
    create_account(
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
    .await
}

/// Creates an account of any role after checking its fields against the role.
pub async fn create_account(
    db: &impl ConnectionTrait,
    new: NewAccount,
) -> Result<User, AccountError> {
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
        failed_login_count: Set(0),
        locked_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    // The unique index decides races between two registrations of one email.
    match user::Entity::insert(model).exec_with_returning(db).await {
        Ok(inserted) => Ok(User::from(inserted)),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AccountError::EmailTaken)
        }
        Err(error) => Err(error.into()),
    }
}

/// Checks an email and password. Unknown emails and wrong passwords fail alike; an
/// account with too many recent failures is refused without checking the password.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
    throttle: LoginThrottle,
) -> Result<User, AccountError> {
    let Ok(email) = Email::parse(email) else {
        verify_against_decoy(password).await;
        return Err(AccountError::InvalidCredentials);
    };
    let Some(found) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
    else {
        verify_against_decoy(password).await;
        return Err(AccountError::InvalidCredentials);
    };
    let now = Utc::now();
    if let Some(locked_until) = found.locked_until
        && locked_until > now
    {
        return Err(AccountError::LoginThrottled {
            retry_after_seconds: std::cmp::max((locked_until - now).num_seconds(), 1),
        });
    }
    if verify_password(password, &found.password_hash).await {
        if found.failed_login_count != 0 || found.locked_until.is_some() {
            user::Entity::update_many()
                .col_expr(user::Column::FailedLoginCount, Expr::value(0))
                .col_expr(
                    user::Column::LockedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(user::Column::Id.eq(found.id))
                .exec(db)
                .await?;
        }
        return Ok(User::from(found));
    }
    // Counted in SQL so that concurrent failures are all counted.
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedLoginCount,
            Expr::col(user::Column::FailedLoginCount).add(1),
        )
        .filter(user::Column::Id.eq(found.id))
        .exec(db)
        .await?;
    let failures = user::Entity::find_by_id(found.id)
        .one(db)
        .await?
        .map_or(0, |user| user.failed_login_count);
    if let Some(lock) = throttle.lock_after(failures) {
        user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(Some(now + lock)))
            .filter(user::Column::Id.eq(found.id))
            .exec(db)
            .await?;
        tracing::warn!(user_id = %found.id, failures, "login locked after repeated failures");
    }
    Err(AccountError::InvalidCredentials)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_locks_after_free_failures_and_doubles_up_to_the_cap() {
        let throttle = LoginThrottle::default();
        assert_eq!(throttle.lock_after(4), None);
        assert_eq!(throttle.lock_after(5), Some(Duration::seconds(30)));
        assert_eq!(throttle.lock_after(6), Some(Duration::seconds(60)));
        assert_eq!(throttle.lock_after(40), Some(Duration::minutes(15)));
    }
}
