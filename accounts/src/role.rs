use std::fmt;
use std::str::FromStr;

/// What a user is on the platform; stored as its upper-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A self-registered buyer using the storefront.
    Buyer,
    /// Staff of one cooperative (see [`CooperativeRole`]).
    Cooperative,
    /// A buyer acting for a buyer organisation, e.g. a government department on GeM.
    Institution,
    /// Platform or registrar staff.
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
        match value {
            "BUYER" => Ok(Self::Buyer),
            "COOPERATIVE" => Ok(Self::Cooperative),
            "INSTITUTION" => Ok(Self::Institution),
            "ADMIN" => Ok(Self::Admin),
            other => Err(format!("unknown role {other}")),
        }
    }
}

/// A cooperative staff member's standing within their cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CooperativeRole {
    /// May invite staff and act on everything of the cooperative.
    Manager,
    /// Acts on the cooperative's catalogue and orders.
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
        match value {
            "MANAGER" => Ok(Self::Manager),
            "STAFF" => Ok(Self::Staff),
            other => Err(format!("unknown cooperative role {other}")),
        }
    }
}
