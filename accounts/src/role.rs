use std::fmt;
use std::str::FromStr;

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// What a user is on the platform; stored as its upper-case name (a stored value
/// outside this set fails to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    /// A self-registered buyer using the storefront.
    #[sea_orm(string_value = "BUYER")]
    Buyer,
    /// Staff of one cooperative (see [`CooperativeRole`]).
    #[sea_orm(string_value = "COOPERATIVE")]
    Cooperative,
    /// A buyer acting for a buyer organisation, e.g. a government department on GeM.
    #[sea_orm(string_value = "INSTITUTION")]
    Institution,
    /// Platform or registrar staff.
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "BUYER",
            Self::Cooperative => "COOPERATIVE",
            Self::Institution => "INSTITUTION",
            Self::Admin => "ADMIN",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned()).map_err(|_| format!("unknown role {value}"))
    }
}

/// A cooperative staff member's standing within their cooperative; stored as its
/// upper-case name (a stored value outside this set fails to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CooperativeRole {
    /// May invite staff and act on everything of the cooperative.
    #[sea_orm(string_value = "MANAGER")]
    Manager,
    /// Acts on the cooperative's catalogue and orders.
    #[sea_orm(string_value = "STAFF")]
    Staff,
}

impl CooperativeRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Manager => "MANAGER",
            Self::Staff => "STAFF",
        }
    }
}

impl FromStr for CooperativeRole {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned())
            .map_err(|_| format!("unknown cooperative role {value}"))
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn stored_names_are_the_names_tokens_carry() {
        for role in Role::iter() {
            assert_eq!(role.to_value(), role.as_str());
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        for role in CooperativeRole::iter() {
            assert_eq!(role.to_value(), role.as_str());
            assert_eq!(role.as_str().parse::<CooperativeRole>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_stored_role_is_an_error_not_a_default() {
        assert!(Role::try_from_value(&"SUPERUSER".to_owned()).is_err());
        assert!(CooperativeRole::try_from_value(&"OWNER".to_owned()).is_err());
        assert!("buyer".parse::<Role>().is_err());
    }
}
