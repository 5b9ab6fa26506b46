//! The closed sets that the entities store (as their upper-case names) and the use
//! cases share. They live below both, so that an entity never imports from the use-case
//! module that loads it.

use std::str::FromStr;

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// Where a cooperative stands with the registrar's staff on this platform. Stored as
/// its upper-case name; a stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum VerificationStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
}

impl VerificationStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::Suspended => "SUSPENDED",
        }
    }

    /// PENDING → VERIFIED or SUSPENDED (refused); VERIFIED ⇄ SUSPENDED. Nothing returns
    /// to PENDING.
    pub fn can_become(self, next: Self) -> bool {
        matches!(
            (self, next),
            (Self::Pending, Self::Verified)
                | (Self::Pending, Self::Suspended)
                | (Self::Verified, Self::Suspended)
                | (Self::Suspended, Self::Verified)
        )
    }
}

impl FromStr for VerificationStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned())
            .map_err(|_| format!("unknown verification status {value}"))
    }
}

/// A product's place in its life cycle; only ACTIVE products are sold. Stored as its
/// upper-case name; a stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ProductStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

impl ProductStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Active => "ACTIVE",
            Self::Archived => "ARCHIVED",
        }
    }
}

impl FromStr for ProductStatus {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned())
            .map_err(|_| format!("unknown product status {value}"))
    }
}

/// Why stock moved. Stored in the ledger as its upper-case name; a stored value outside
/// this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum StockReason {
    /// A production batch arrived.
    #[sea_orm(string_value = "BATCH_RECEIVED")]
    BatchReceived,
    /// A physical count found a different figure.
    #[sea_orm(string_value = "RECOUNT")]
    Recount,
    #[sea_orm(string_value = "DAMAGED")]
    Damaged,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    #[sea_orm(string_value = "CORRECTION")]
    Correction,
    /// An order reserved the units until it is paid or released.
    #[sea_orm(string_value = "ORDER_RESERVED")]
    OrderReserved,
    /// An expired, failed or cancelled order gave its units back.
    #[sea_orm(string_value = "ORDER_RELEASED")]
    OrderReleased,
}

impl StockReason {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BatchReceived => "BATCH_RECEIVED",
            Self::Recount => "RECOUNT",
            Self::Damaged => "DAMAGED",
            Self::Returned => "RETURNED",
            Self::Correction => "CORRECTION",
            Self::OrderReserved => "ORDER_RESERVED",
            Self::OrderReleased => "ORDER_RELEASED",
        }
    }
}

/// Where an authorised-user registration stands. Stored as its upper-case name; a
/// stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AuthorisedUserStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    #[sea_orm(string_value = "REVOKED")]
    Revoked,
}

impl AuthorisedUserStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Verified => "VERIFIED",
            Self::Revoked => "REVOKED",
        }
    }
}

/// What happened to a batch. Stored as its upper-case name (which is also part of each
/// event's hashed content); a stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum EventKind {
    #[sea_orm(string_value = "HARVESTED")]
    Harvested,
    #[sea_orm(string_value = "DRIED")]
    Dried,
    #[sea_orm(string_value = "PROCESSED")]
    Processed,
    #[sea_orm(string_value = "SORTED")]
    Sorted,
    #[sea_orm(string_value = "SPUN")]
    Spun,
    #[sea_orm(string_value = "WOVEN")]
    Woven,
    #[sea_orm(string_value = "DYED")]
    Dyed,
    #[sea_orm(string_value = "PACKED")]
    Packed,
    #[sea_orm(string_value = "CERTIFIED")]
    Certified,
    #[sea_orm(string_value = "SHIPPED_TO_WAREHOUSE")]
    ShippedToWarehouse,
}

impl EventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Harvested => "HARVESTED",
            Self::Dried => "DRIED",
            Self::Processed => "PROCESSED",
            Self::Sorted => "SORTED",
            Self::Spun => "SPUN",
            Self::Woven => "WOVEN",
            Self::Dyed => "DYED",
            Self::Packed => "PACKED",
            Self::Certified => "CERTIFIED",
            Self::ShippedToWarehouse => "SHIPPED_TO_WAREHOUSE",
        }
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned())
            .map_err(|_| format!("unknown provenance event kind {value}"))
    }
}

/// How a cooperative is registered for GST, which decides what documents it issues and
/// where it may sell. Stored as its upper-case name; a stored value outside this set
/// fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum GstRegime {
    /// A normal GSTIN holder: collects GST and issues tax invoices.
    #[sea_orm(string_value = "REGULAR")]
    Regular,
    /// A composition taxpayer (CGST s.10): pays tax on its turnover itself, may not
    /// collect it from buyers (bill of supply) and may not supply goods inter-State
    /// (s.10(2)(c)).
    #[sea_orm(string_value = "COMPOSITION")]
    Composition,
    /// Enrolled on its PAN without a GSTIN (Notif. 34/2023-CT): collects no GST, issues
    /// bills of supply, and may sell through an e-commerce operator only within its own
    /// State or UT.
    #[sea_orm(string_value = "ENROLLED")]
    Enrolled,
}

impl GstRegime {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Regular => "REGULAR",
            Self::Composition => "COMPOSITION",
            Self::Enrolled => "ENROLLED",
        }
    }

    /// Whether the supplier charges GST on its supplies.
    pub const fn collects_gst(self) -> bool {
        matches!(self, Self::Regular)
    }

    /// Whether the supplier may supply goods to a place outside its own State or UT.
    pub const fn may_supply_inter_state(self) -> bool {
        matches!(self, Self::Regular)
    }

    /// Whether the regime needs a GSTIN (an enrolled supplier has none).
    pub const fn needs_gstin(self) -> bool {
        !matches!(self, Self::Enrolled)
    }
}

impl FromStr for GstRegime {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.to_owned()).map_err(|_| format!("unknown GST regime {value}"))
    }
}
