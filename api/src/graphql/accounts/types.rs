//! The account types clients see: users, roles and buyer organisations.

use accounts::User;
use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::{ApiError, context::ContextExt};

/// A role on the platform.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "accounts::Role")]
pub enum RoleValue {
    Buyer,
    Cooperative,
    Institution,
    Admin,
}

/// A cooperative staff member's standing in their cooperative.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CooperativeRole", remote = "accounts::CooperativeRole")]
pub enum CooperativeRoleValue {
    Manager,
    Staff,
}

/// A user account.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "User", complex)]
pub struct UserNode {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub role: RoleValue,
    pub cooperative_id: Option<ID>,
    pub cooperative_role: Option<CooperativeRoleValue>,
    pub buyer_organisation_id: Option<ID>,
    /// When an admin suspended the account; null while it is active.
    pub suspended_at: Option<DateTime<Utc>>,
    /// Whether the user proved the address is theirs (`emailVerify`).
    pub email_verified: bool,
    /// The language of the messages the user is sent (`meUpdate`).
    pub language: LanguageValue,
    pub created_at: DateTime<Utc>,
}

#[ComplexObject]
impl UserNode {
    /// Which optional messages (reminders) the user receives; orders, resets and
    /// verification always go. Only the user reads their own (`meUpdate` changes them).
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<NotificationPreference>> {
        let viewer = ctx.viewer()?;
        if viewer.user_id.to_string() != self.id.as_str() {
            return Err(ApiError::Forbidden(
                "only the user reads their notification preferences".to_owned(),
            )
            .into());
        }
        let preferences = notifications::preferences(ctx.db()?, viewer.user_id)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        Ok(preferences
            .into_iter()
            .map(|p| NotificationPreference {
                kind: p.kind.into(),
                enabled: p.enabled,
            })
            .collect())
    }
}

/// What a message is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(name = "NotificationKind", remote = "notifications::Kind")]
pub enum NotificationKindValue {
    RegistrationAttempt,
    PasswordReset,
    EmailVerification,
    StaffInvitation,
    OrderConfirmation,
    NewOrder,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    OrderRefunded,
    PaymentReceived,
    /// A reminder to an institutional buyer: optional.
    PaymentOverdue,
    /// A reminder to a cooperative's staff: optional.
    GiAuthorisationExpiring,
}

/// Whether the user receives one optional kind of message.
#[derive(SimpleObject, Clone, Debug)]
pub struct NotificationPreference {
    pub kind: NotificationKindValue,
    pub enabled: bool,
}

/// A language messages are written in.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(name = "Language", remote = "notifications::Language")]
pub enum LanguageValue {
    English,
    Hindi,
}

impl From<User> for UserNode {
    fn from(user: User) -> Self {
        Self {
            id: ID(user.id.to_string()),
            email: user.email,
            name: user.name,
            role: user.role.into(),
            cooperative_id: user.cooperative_id.map(|id| ID(id.to_string())),
            cooperative_role: user.cooperative_role.map(Into::into),
            buyer_organisation_id: user.buyer_organisation_id.map(|id| ID(id.to_string())),
            suspended_at: user.suspended_at,
            email_verified: user.email_verified_at.is_some(),
            language: user.language.into(),
            created_at: user.created_at,
        }
    }
}

/// What kind of public body a buyer organisation is (GeM's buyer kinds).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(
    name = "BuyerOrganisationKind",
    remote = "accounts::BuyerOrganisationKind"
)]
pub enum BuyerOrganisationKindValue {
    /// A ministry or department of the Government of India.
    CentralGovernmentDepartment,
    /// A department of a State government.
    StateGovernmentDepartment,
    /// A department of a Union Territory's administration, e.g. Ladakh's.
    UtGovernmentDepartment,
    /// A central public sector undertaking.
    CentralPsu,
    /// A State or Union Territory public sector undertaking.
    StatePsu,
    /// An autonomous body, e.g. a hill development council or a university.
    AutonomousBody,
    /// A municipality or panchayat.
    LocalBody,
    /// A cooperative society buying for its members.
    Cooperative,
    Other,
}

/// A buyer organisation, e.g. a government department buying through GeM.
#[derive(SimpleObject, Clone, Debug)]
pub struct BuyerOrganisation {
    pub id: ID,
    pub name: String,
    pub kind: BuyerOrganisationKindValue,
    pub gem_buyer_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<accounts::BuyerOrganisation> for BuyerOrganisation {
    fn from(organisation: accounts::BuyerOrganisation) -> Self {
        Self {
            id: ID(organisation.id.to_string()),
            name: organisation.name,
            kind: organisation.kind.into(),
            gem_buyer_id: organisation.gem_buyer_id,
            created_at: organisation.created_at,
        }
    }
}
