//! Signing in: password authentication, throttled per email address, and known devices.
//!
//! Throttling cannot be raced: every attempt first claims its turn in one conditional
//! UPDATE of the address's counter (allowed only while the address is not locked), and
//! the attempt that reaches the limit sets the lock in that same statement, so however
//! many requests arrive at once, at most `free_failures` passwords are checked before
//! the lock holds. The counter is kept per normalised address, whether or not an
//! account has it, so an unknown address is throttled exactly like a known one.
//!
//! One person guessing at someone else's address must not keep its owner out: a device
//! that once signed in holds a device token, and a sign-in from it is not held back by
//! the address's lock (it has its own small budget of failures, claimed the same way,
//! so a stolen device token does not allow unlimited guessing either). A correct
//! password lifts the lock; so will a password reset, once one exists.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    AccountError, Email, User,
    entity::{known_device, login_attempt, user},
    password::{verify_against_decoy, verify_password},
};

/// How repeated failed logins of one address are slowed down.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    /// Failures allowed before the address is locked for a while.
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
    /// The lock that the `failures`-th consecutive failure puts on the address.
    fn lock_after(&self, failures: i32) -> Option<Duration> {
        let over = failures - self.free_failures;
        if over < 0 {
            return None;
        }
        let doublings = std::cmp::min(u32::try_from(over).unwrap_or(0), 16);
        let lock = self.first_lock * 2_i32.pow(doublings);
        Some(lock.min(self.longest_lock))
    }

    /// `CASE WHEN failures + 1 >= n THEN now + lock(n) … ELSE NULL END`: the lock an
    /// attempt sets on the address as it claims its turn, highest count first.
    fn lock_expression(&self, now: DateTime<Utc>) -> Expr {
        let mut steps = Vec::new();
        let mut failures = std::cmp::Ord::max(self.free_failures, 1);
        while let Some(lock) = self.lock_after(failures) {
            steps.push((failures, now + lock));
            if lock >= self.longest_lock || steps.len() > 16 {
                break;
            }
            failures += 1;
        }
        let next = Expr::col(login_attempt::Column::Failures).add(1);
        let none = Expr::value(Option::<DateTime<Utc>>::None);
        let mut steps = steps.into_iter().rev();
        let Some((first_failures, first_until)) = steps.next() else {
            return none;
        };
        let mut case = Expr::case(
            next.clone().gte(first_failures),
            Expr::value(Some(first_until)),
        );
        for (failures, until) in steps {
            case = case.case(next.clone().gte(failures), Expr::value(Some(until)));
        }
        case.finally(none).into()
    }
}

/// A signed-in user and the device token to keep for the next sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    /// A new device token, or `None` when the device presented a valid one (it keeps it).
    pub device_token: Option<String>,
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Claims one attempt of `email` before its password is checked: `Ok(())` when the
/// attempt may go ahead, `LoginThrottled` while the address is locked.
async fn claim_attempt(
    db: &impl ConnectionTrait,
    email: &str,
    throttle: LoginThrottle,
) -> Result<(), AccountError> {
    let now = Utc::now();
    login_attempt::Entity::insert(login_attempt::ActiveModel {
        email: Set(email.to_owned()),
        failures: Set(0),
        locked_until: Set(None),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    let claimed = login_attempt::Entity::update_many()
        .col_expr(
            login_attempt::Column::Failures,
            Expr::col(login_attempt::Column::Failures).add(1),
        )
        .col_expr(
            login_attempt::Column::LockedUntil,
            throttle.lock_expression(now),
        )
        .col_expr(login_attempt::Column::UpdatedAt, Expr::value(now))
        .filter(login_attempt::Column::Email.eq(email))
        .filter(
            Condition::any()
                .add(login_attempt::Column::LockedUntil.is_null())
                .add(login_attempt::Column::LockedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    if claimed.rows_affected == 1 {
        return Ok(());
    }
    let locked_until = login_attempt::Entity::find_by_id(email.to_owned())
        .one(db)
        .await?
        .and_then(|row| row.locked_until)
        .unwrap_or(now);
    Err(AccountError::LoginThrottled {
        retry_after_seconds: std::cmp::max((locked_until - now).num_seconds(), 1),
    })
}

/// Claims one attempt on a known device's own budget; `false` when the token is not a
/// device of `user_id` or its budget is spent.
async fn claim_device_attempt(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    token: &str,
    throttle: LoginThrottle,
) -> Result<bool, AccountError> {
    let claimed = known_device::Entity::update_many()
        .col_expr(
            known_device::Column::Failures,
            Expr::col(known_device::Column::Failures).add(1),
        )
        .filter(known_device::Column::TokenHash.eq(hash_token(token)))
        .filter(known_device::Column::UserId.eq(user_id))
        .filter(known_device::Column::Failures.lt(throttle.free_failures))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

async fn clear_failures(
    db: &impl ConnectionTrait,
    email: &str,
    device: Option<&str>,
) -> Result<(), AccountError> {
    login_attempt::Entity::delete_by_id(email.to_owned())
        .exec(db)
        .await?;
    if let Some(token) = device {
        known_device::Entity::update_many()
            .col_expr(known_device::Column::Failures, Expr::value(0))
            .col_expr(known_device::Column::LastUsedAt, Expr::value(Utc::now()))
            .filter(known_device::Column::TokenHash.eq(hash_token(token)))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn new_device(db: &impl ConnectionTrait, user_id: Uuid) -> Result<String, AccountError> {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    known_device::Entity::insert(known_device::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(hash_token(&token)),
        failures: Set(0),
        created_at: Set(now),
        last_used_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// Checks an email and password. Unknown emails and wrong passwords fail alike, in the
/// same time (an unknown email's password is checked against a decoy hash) and under
/// the same throttle. `device_token` is what an earlier sign-in of this device returned.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
    device_token: Option<&str>,
    throttle: LoginThrottle,
) -> Result<SignedIn, AccountError> {
    let Ok(email) = Email::parse(email) else {
        verify_against_decoy(password).await;
        return Err(AccountError::InvalidCredentials);
    };
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let known_device = match (&found, device_token) {
        (Some(found), Some(token)) => claim_device_attempt(db, found.id, token, throttle).await?,
        _ => false,
    };
    if !known_device {
        claim_attempt(db, email.as_str(), throttle).await?;
    }
    let Some(found) = found else {
        verify_against_decoy(password).await;
        return Err(AccountError::InvalidCredentials);
    };
    if !verify_password(password, &found.password_hash).await {
        return Err(AccountError::InvalidCredentials);
    }
    let device = device_token.filter(|_| known_device);
    clear_failures(db, email.as_str(), device).await?;
    // Told only to whoever knows the password, so it reveals nothing to a guesser.
    if found.suspended_at.is_some() {
        return Err(AccountError::Suspended);
    }
    let device_token = match device {
        Some(_) => None,
        None => Some(new_device(db, found.id).await?),
    };
    Ok(SignedIn {
        user: User::from(found),
        device_token,
    })
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::*;

    #[test]
    fn throttle_locks_after_free_failures_and_doubles_up_to_the_cap() {
        let throttle = LoginThrottle::default();
        assert_eq!(throttle.lock_after(4), None);
        assert_eq!(throttle.lock_after(5), Some(Duration::seconds(30)));
        assert_eq!(throttle.lock_after(6), Some(Duration::seconds(60)));
        assert_eq!(throttle.lock_after(40), Some(Duration::minutes(15)));
    }

    #[test]
    fn the_lock_is_set_by_the_claiming_update_itself() {
        let now = Utc::now();
        let sql = login_attempt::Entity::update_many()
            .col_expr(
                login_attempt::Column::LockedUntil,
                LoginThrottle::default().lock_expression(now),
            )
            .filter(login_attempt::Column::Email.eq("a@b.org"))
            .build(DbBackend::Sqlite)
            .to_string();
        // 30 s, 1, 2, 4, 8 min, then the 15-minute cap: six steps, highest first.
        assert_eq!(sql.matches("WHEN").count(), 6, "{sql}");
        assert!(sql.contains("CASE WHEN (\"failures\" + 1 >= 10)"), "{sql}");
        assert!(sql.contains("ELSE NULL END"), "{sql}");
    }
}
