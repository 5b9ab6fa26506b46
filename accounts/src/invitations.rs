//! Staff invitations: a cooperative's manager (or an admin) invites a staff member by
//! email; the invitation carries a one-time token, handed to the invitee out of band,
//! which they exchange for an account of that cooperative with a password they choose,
//! or, when their address already has a buyer's account, accept by signing in as it.
//! An invitation to an address whose account cannot join (an admin, an institutional
//! buyer, staff of a cooperative, a suspended account) is refused when it is made.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use kernel::{Writer, begin_write};
use notifications::{Envelope, Message};
use rand::RngCore;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    AccountError, CooperativeRole, Email, NewAccount, Role, User, UserId, check_password_policy,
    create_account,
    entity::{staff_invitation, user},
    find_user,
};

/// How long an invitation can be accepted.
pub const INVITATION_LIFETIME_DAYS: i64 = 7;

/// An invitation as the inviter sees it; `token` is shown once.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: Uuid,
    pub cooperative_id: Uuid,
    pub email: String,
    pub name: String,
    pub cooperative_role: CooperativeRole,
    pub expires_at: DateTime<Utc>,
    pub token: String,
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Invites a staff member to a cooperative. Only the cooperative's managers and admins
/// may invite, and only managers of it (or admins) may invite another manager.
pub async fn invite_staff(
    db: &impl Writer,
    inviter: &User,
    cooperative_id: Uuid,
    email: &str,
    name: &str,
    cooperative_role: CooperativeRole,
) -> Result<Invitation, AccountError> {
    invite_staff_linked(
        db,
        inviter,
        cooperative_id,
        email,
        name,
        cooperative_role,
        None,
    )
    .await
}

/// [`invite_staff`], whose email links to `accept_page` with the token appended (the
/// page's address ending in `token=`); the token is URL-safe as it is.
pub async fn invite_staff_linked(
    db: &impl Writer,
    inviter: &User,
    cooperative_id: Uuid,
    email: &str,
    name: &str,
    cooperative_role: CooperativeRole,
    accept_page: Option<&str>,
) -> Result<Invitation, AccountError> {
    let allowed = inviter.role == Role::Admin
        || (inviter.role == Role::Cooperative
            && inviter.cooperative_id == Some(cooperative_id)
            && inviter.cooperative_role == Some(CooperativeRole::Manager));
    if !allowed {
        return Err(AccountError::Forbidden(
            "only this cooperative's managers or an admin may invite staff".to_owned(),
        ));
    }
    let email = Email::parse(email)?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .map(User::from);
    if let Some(existing) = &existing {
        cannot_join(existing, cooperative_id)
            .map_or(Ok(()), |why| Err(not_allowed("email", why)))?;
    }
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AccountError::InvalidInput {
            field: "name",
            message: "name must have 1 to 200 characters".to_owned(),
        });
    }
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let expires_at = now + Duration::days(INVITATION_LIFETIME_DAYS);
    let id = Uuid::now_v7();
    // The invitation and its email commit together.
    let txn = begin_write(db).await?;
    staff_invitation::Entity::insert(staff_invitation::ActiveModel {
        id: Set(id),
        cooperative_id: Set(cooperative_id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.clone()),
        cooperative_role: Set(cooperative_role),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(inviter.id),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        created_at: Set(now),
    })
    .exec(&txn)
    .await?;
    notifications::record(
        &txn,
        Envelope {
            key: format!("staff-invitation:{id}"),
            to: email.as_str().to_owned(),
            user_id: existing.as_ref().map(|u| u.id),
            language: existing.as_ref().map(|u| u.language).unwrap_or_default(),
            message: Message::StaffInvitation {
                invitee_name: name.clone(),
                token: token.clone(),
                expires_at,
                accept_url: accept_page.map(|page| format!("{page}{token}")),
            },
            attachments: Vec::new(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Invitation {
        id,
        cooperative_id,
        email: email.as_str().to_owned(),
        name,
        cooperative_role,
        expires_at,
        token,
    })
}

fn not_allowed(field: &'static str, message: &str) -> AccountError {
    AccountError::NotAllowed {
        field,
        message: message.to_owned(),
    }
}

/// Why an existing account cannot join a cooperative as its staff, if it cannot: only
/// a buyer's account (in good standing) can.
fn cannot_join(account: &User, cooperative_id: Uuid) -> Option<&'static str> {
    if account.suspended_at.is_some() {
        return Some("the account with this address is suspended");
    }
    match account.role {
        Role::Buyer => None,
        Role::Cooperative if account.cooperative_id == Some(cooperative_id) => {
            Some("the account with this address is already staff of this cooperative")
        }
        Role::Cooperative => Some("the account with this address is staff of another cooperative"),
        Role::Institution => Some(
            "the account with this address buys for an organisation and cannot join a cooperative",
        ),
        Role::Admin => Some("the account with this address is a platform admin"),
    }
}

/// Accepts an invitation. An address without an account gets a new staff account with
/// the chosen password; an address that has one (a buyer's) accepts by signing in as
/// that account (`signed_in`), which then becomes the cooperative's staff, with no
/// password asked. Each token works once and only before it expires; a refused password
/// (or any other failure) leaves the invitation unused, to be accepted again.
pub async fn accept_invitation(
    db: &impl ConnectionTrait,
    token: &str,
    password: Option<&str>,
    signed_in: Option<UserId>,
) -> Result<User, AccountError> {
    let invitation = staff_invitation::Entity::find()
        .filter(staff_invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or(AccountError::InvitationInvalid)?;
    if invitation.accepted_at.is_some() || invitation.expires_at <= Utc::now() {
        return Err(AccountError::InvitationInvalid);
    }
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(invitation.email.as_str()))
        .one(db)
        .await?
        .map(User::from);
    // Everything that can refuse is checked before the invitation is claimed.
    match &existing {
        Some(account) => {
            if signed_in != Some(account.id) {
                return Err(not_allowed(
                    "token",
                    "an account with the invited address exists: sign in as it to accept",
                ));
            }
            if let Some(why) = cannot_join(account, invitation.cooperative_id) {
                return Err(not_allowed("token", why));
            }
        }
        None => {
            let Some(password) = password.filter(|p| !p.is_empty()) else {
                return Err(AccountError::InvalidInput {
                    field: "password",
                    message: "choose a password for the new account".to_owned(),
                });
            };
            check_password_policy(password, &invitation.email)?;
        }
    }
    let claimed = staff_invitation::Entity::update_many()
        .col_expr(
            staff_invitation::Column::AcceptedAt,
            Expr::value(Some(Utc::now())),
        )
        .filter(staff_invitation::Column::Id.eq(invitation.id))
        .filter(staff_invitation::Column::AcceptedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AccountError::InvitationInvalid);
    }
    let accepted = match existing {
        Some(account) => join(db, &account, &invitation).await,
        None => {
            create_account(
                db,
                NewAccount {
                    email: invitation.email,
                    password: password.unwrap_or_default().to_owned(),
                    name: invitation.name,
                    role: Role::Cooperative,
                    cooperative_id: Some(invitation.cooperative_id),
                    cooperative_role: Some(invitation.cooperative_role),
                    buyer_organisation_id: None,
                },
            )
            .await
        }
    };
    if accepted.is_err() {
        // Released again: the invitation was not used. This request holds the claim,
        // so nobody else can have set it since.
        staff_invitation::Entity::update_many()
            .col_expr(
                staff_invitation::Column::AcceptedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(staff_invitation::Column::Id.eq(invitation.id))
            .exec(db)
            .await?;
    }
    accepted
}

/// Makes an existing buyer's account staff of the invitation's cooperative; only if it
/// is still a buyer's account in good standing (checked in the same UPDATE).
async fn join(
    db: &impl ConnectionTrait,
    account: &User,
    invitation: &staff_invitation::Model,
) -> Result<User, AccountError> {
    let joined = user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(Role::Cooperative.as_str()))
        .col_expr(
            user::Column::CooperativeId,
            Expr::value(Some(invitation.cooperative_id)),
        )
        .col_expr(
            user::Column::CooperativeRole,
            Expr::value(Some(invitation.cooperative_role.as_str())),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(account.id))
        .filter(user::Column::Role.eq(Role::Buyer))
        .filter(user::Column::SuspendedAt.is_null())
        .exec(db)
        .await?;
    if joined.rows_affected != 1 {
        return Err(not_allowed(
            "token",
            "the account with the invited address can no longer join a cooperative",
        ));
    }
    find_user(db, account.id).await
}

#[cfg(test)]
mod known_answer {
    /// Invitation tokens are stored as their SHA-256 in lower-case hex; the FIPS 180-2 vector for
    /// "abc" pins both the digest and the encoding.
    #[test]
    fn a_token_is_stored_as_its_sha256_in_hex() {
        assert_eq!(
            super::hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
