use sea_orm::{DeriveActiveEnum, EnumIter, Iterable, sea_query::StringLen};

/// What a message is about; stored as its upper-case name (a stored value outside this
/// set fails to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    /// Someone tried to register with an address that already has an account.
    #[sea_orm(string_value = "REGISTRATION_ATTEMPT")]
    RegistrationAttempt,
    #[sea_orm(string_value = "PASSWORD_RESET")]
    PasswordReset,
    #[sea_orm(string_value = "EMAIL_VERIFICATION")]
    EmailVerification,
    #[sea_orm(string_value = "STAFF_INVITATION")]
    StaffInvitation,
    /// The buyer's confirmation of an order placed.
    #[sea_orm(string_value = "ORDER_CONFIRMATION")]
    OrderConfirmation,
    /// A cooperative's alert of a new order (its own lines).
    #[sea_orm(string_value = "NEW_ORDER")]
    NewOrder,
    #[sea_orm(string_value = "ORDER_SHIPPED")]
    OrderShipped,
    #[sea_orm(string_value = "ORDER_DELIVERED")]
    OrderDelivered,
    #[sea_orm(string_value = "ORDER_CANCELLED")]
    OrderCancelled,
    #[sea_orm(string_value = "ORDER_REFUNDED")]
    OrderRefunded,
    /// A bank transfer or a purchase order's payment arrived.
    #[sea_orm(string_value = "PAYMENT_RECEIVED")]
    PaymentReceived,
    /// An institutional buyer's payment is past its due date.
    #[sea_orm(string_value = "PAYMENT_OVERDUE")]
    PaymentOverdue,
    /// A cooperative's GI authorisation runs out within 30 days.
    #[sea_orm(string_value = "GI_AUTHORISATION_EXPIRING")]
    GiAuthorisationExpiring,
}

impl Kind {
    /// Whether a user may choose not to receive this kind. Reminders are optional: the
    /// fact they remind of (a due date, an expiry) is shown where the user works and
    /// was told when it arose. Everything that reports a change to the user's own
    /// account or orders (and resets, verification, invitations) always goes.
    pub const fn optional(self) -> bool {
        matches!(self, Self::PaymentOverdue | Self::GiAuthorisationExpiring)
    }

    /// The kinds a user may switch off.
    pub fn optional_kinds() -> impl Iterator<Item = Self> {
        Self::iter().filter(|kind| kind.optional())
    }
}
