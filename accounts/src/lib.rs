//! Accounts: who may use the marketplace and how they prove it.
//!
//! Owns users of every role (buyers, cooperative staff, institutional buyers, platform
//! admins), buyer organisations, password hashing, failed-login throttling and the
//! rotating refresh-token families. Knows nothing of HTTP, GraphQL or JWT: access tokens
//! are minted by the adapter from the [`User`] this crate authenticates.

mod account_tokens;
mod directory;
mod email;
mod entity;
mod error;
mod invitations;
mod login;
mod organisation_kind;
mod organisations;
mod password;
mod recipients;
mod refresh_tokens;
mod registration;
mod role;
mod sessions;
mod staff;
mod users;

pub use account_tokens::{
    EMAIL_VERIFICATION_LIFETIME_HOURS, VerifiedEmail, request_email_verification,
    request_password_reset, reset_password, set_language, verify_email,
};
pub use directory::{UserFilter, list_buyer_organisations, list_users};
pub use email::Email;
pub use error::AccountError;
pub use invitations::{
    INVITATION_LIFETIME_DAYS, Invitation, accept_invitation, invite_staff, invite_staff_linked,
};
pub use login::{LoginThrottle, SignedIn, authenticate};
pub use organisation_kind::BuyerOrganisationKind;
pub use organisations::{BuyerOrganisation, NewBuyerOrganisation, create_buyer_organisation};
pub use password::{MIN_PASSWORD_CHARS, check_password_policy};
pub use recipients::Recipients;
pub use refresh_tokens::{
    IssuedRefreshToken, RefreshTokenPolicy, issue_refresh_token, revoke_refresh_token,
    rotate_refresh_token,
};
pub use registration::register_buyer;
pub use role::{CooperativeRole, Role};
pub use sessions::{live_session_user, revoke_session, revoke_user_sessions, set_suspended};
pub use staff::{change_staff_role, list_staff, remove_staff};
pub use users::{NewAccount, User, UserId, count_admins, create_account, find_user};
