//! The kinds of buyer organisation, apart from the organisations themselves so that
//! their table's entity can name the type without depending on the use case.

use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// What kind of public body an organisation is. GeM registers its buyers by these
/// kinds; a typed kind lets admins pick one instead of typing a code, and lets reports
/// group buyers without normalising spellings. Stored as its upper-case name (a stored
/// value outside this set fails to load; the migration that introduced the set moved
/// free-text kinds to `OTHER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum BuyerOrganisationKind {
    /// A ministry or department of the Government of India.
    #[sea_orm(string_value = "CENTRAL_GOVERNMENT_DEPARTMENT")]
    CentralGovernmentDepartment,
    /// A department of a State government.
    #[sea_orm(string_value = "STATE_GOVERNMENT_DEPARTMENT")]
    StateGovernmentDepartment,
    /// A department of a Union Territory's administration, e.g. Ladakh's.
    #[sea_orm(string_value = "UT_GOVERNMENT_DEPARTMENT")]
    UtGovernmentDepartment,
    /// A central public sector undertaking.
    #[sea_orm(string_value = "CENTRAL_PSU")]
    CentralPsu,
    /// A State or Union Territory public sector undertaking.
    #[sea_orm(string_value = "STATE_PSU")]
    StatePsu,
    /// An autonomous body, e.g. a hill development council or a university.
    #[sea_orm(string_value = "AUTONOMOUS_BODY")]
    AutonomousBody,
    /// A municipality or panchayat.
    #[sea_orm(string_value = "LOCAL_BODY")]
    LocalBody,
    /// A cooperative society buying for its members.
    #[sea_orm(string_value = "COOPERATIVE")]
    Cooperative,
    #[sea_orm(string_value = "OTHER")]
    Other,
}
