use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// What a message is about; stored as its upper-case name (a stored value outside this
/// set fails to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
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
}
