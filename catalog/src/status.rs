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
    /// A voided batch's units were taken off sale.
    #[sea_orm(string_value = "BATCH_VOIDED")]
    BatchVoided,
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
            Self::BatchVoided => "BATCH_VOIDED",
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
    /// The batch's record was corrected (`batchCorrect`): the event's data holds what
    /// changed, from what to what, and why.
    #[sea_orm(string_value = "CORRECTED")]
    Corrected,
    /// The batch was voided (`batchVoid`), with its reason: the last event it takes.
    #[sea_orm(string_value = "VOIDED")]
    Voided,
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
            Self::Corrected => "CORRECTED",
            Self::Voided => "VOIDED",
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

/// The GST unit quantity code (UQC) a variant is counted in on invoices, GSTR-1's HSN
/// summary and e-invoices. The list is the GST portal's (the Customs list it was taken
/// from); `LTR` is on the Customs and e-invoice lists, though the GSTR-1 offline tool
/// counts litres as `MLT` or `KLR` (unconfirmed: use `MLT` for GSTR-1 if the portal
/// refuses it). Stored as the three-letter code; a stored value outside this set fails
/// to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Uqc {
    /// Bags.
    #[sea_orm(string_value = "BAG")]
    Bag,
    /// Bale.
    #[sea_orm(string_value = "BAL")]
    Bal,
    /// Bundles.
    #[sea_orm(string_value = "BDL")]
    Bdl,
    /// Buckles.
    #[sea_orm(string_value = "BKL")]
    Bkl,
    /// Billions of units.
    #[sea_orm(string_value = "BOU")]
    Bou,
    /// Box.
    #[sea_orm(string_value = "BOX")]
    Box,
    /// Bottles.
    #[sea_orm(string_value = "BTL")]
    Btl,
    /// Bunches.
    #[sea_orm(string_value = "BUN")]
    Bun,
    /// Cans.
    #[sea_orm(string_value = "CAN")]
    Can,
    /// Cubic metres.
    #[sea_orm(string_value = "CBM")]
    Cbm,
    /// Cubic centimetres.
    #[sea_orm(string_value = "CCM")]
    Ccm,
    /// Centimetres.
    #[sea_orm(string_value = "CMS")]
    Cms,
    /// Cartons.
    #[sea_orm(string_value = "CTN")]
    Ctn,
    /// Dozen.
    #[sea_orm(string_value = "DOZ")]
    Doz,
    /// Drum.
    #[sea_orm(string_value = "DRM")]
    Drm,
    /// Great gross.
    #[sea_orm(string_value = "GGR")]
    Ggr,
    /// Grams.
    #[sea_orm(string_value = "GMS")]
    Gms,
    /// Gross.
    #[sea_orm(string_value = "GRS")]
    Grs,
    /// Gross yards.
    #[sea_orm(string_value = "GYD")]
    Gyd,
    /// Kilograms.
    #[sea_orm(string_value = "KGS")]
    Kgs,
    /// Kilolitres.
    #[sea_orm(string_value = "KLR")]
    Klr,
    /// Kilometres.
    #[sea_orm(string_value = "KME")]
    Kme,
    /// Litres.
    #[sea_orm(string_value = "LTR")]
    Ltr,
    /// Millilitres.
    #[sea_orm(string_value = "MLT")]
    Mlt,
    /// Metres.
    #[sea_orm(string_value = "MTR")]
    Mtr,
    /// Metric tons.
    #[sea_orm(string_value = "MTS")]
    Mts,
    /// Numbers.
    #[sea_orm(string_value = "NOS")]
    Nos,
    /// Others.
    #[sea_orm(string_value = "OTH")]
    Oth,
    /// Packs.
    #[sea_orm(string_value = "PAC")]
    Pac,
    /// Pieces.
    #[sea_orm(string_value = "PCS")]
    Pcs,
    /// Pairs.
    #[sea_orm(string_value = "PRS")]
    Prs,
    /// Quintal.
    #[sea_orm(string_value = "QTL")]
    Qtl,
    /// Rolls.
    #[sea_orm(string_value = "ROL")]
    Rol,
    /// Sets.
    #[sea_orm(string_value = "SET")]
    Set,
    /// Square feet.
    #[sea_orm(string_value = "SQF")]
    Sqf,
    /// Square metres.
    #[sea_orm(string_value = "SQM")]
    Sqm,
    /// Square yards.
    #[sea_orm(string_value = "SQY")]
    Sqy,
    /// Tablets.
    #[sea_orm(string_value = "TBS")]
    Tbs,
    /// Ten grams.
    #[sea_orm(string_value = "TGM")]
    Tgm,
    /// Thousands.
    #[sea_orm(string_value = "THD")]
    Thd,
    /// Tonnes.
    #[sea_orm(string_value = "TON")]
    Ton,
    /// Tubes.
    #[sea_orm(string_value = "TUB")]
    Tub,
    /// US gallons.
    #[sea_orm(string_value = "UGS")]
    Ugs,
    /// Units.
    #[sea_orm(string_value = "UNT")]
    Unt,
    /// Yards.
    #[sea_orm(string_value = "YDS")]
    Yds,
}

impl Uqc {
    /// The three-letter code, as printed and reported.
    pub fn code(self) -> String {
        self.to_value()
    }
}

impl FromStr for Uqc {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&value.trim().to_ascii_uppercase())
            .map_err(|_| format!("{value} is not a GST unit quantity code (UQC)"))
    }
}

/// A cooperative's aggregate turnover in the previous financial year, as far as the
/// HSN rule cares (Notif. 78/2020-CT, from 1 Apr 2021): up to Rs 5 crore its documents
/// carry at least 4 HSN digits, above it at least 6, on every invoice. Policy data set
/// by the cooperative's managers and admins; the default is the lower band. Stored as
/// its upper-case name; a stored value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TurnoverBand {
    #[sea_orm(string_value = "UP_TO_5_CRORE")]
    UpTo5Crore,
    #[sea_orm(string_value = "ABOVE_5_CRORE")]
    Above5Crore,
}

impl TurnoverBand {
    /// The fewest HSN digits the band's documents may carry.
    pub const fn min_hsn_digits(self) -> usize {
        match self {
            Self::UpTo5Crore => 4,
            Self::Above5Crore => 6,
        }
    }
}

/// Why an HSN code is not one: 4, 6 or 8 digits (chapter, heading, sub-heading,
/// tariff item).
pub fn hsn_problem(code: &str) -> Option<String> {
    (!(matches!(code.len(), 4 | 6 | 8) && code.bytes().all(|b| b.is_ascii_digit())))
        .then(|| format!("{code:?} is not an HSN code: 4, 6 or 8 digits"))
}

/// The standard unit a pack's net quantity is declared in (Legal Metrology
/// (Packaged Commodities) Rules 2011, Rule 6(1)(c)). Stored as its symbol; a stored
/// value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum NetUnit {
    #[sea_orm(string_value = "g")]
    Gram,
    #[sea_orm(string_value = "kg")]
    Kilogram,
    #[sea_orm(string_value = "ml")]
    Millilitre,
    #[sea_orm(string_value = "l")]
    Litre,
    #[sea_orm(string_value = "cm")]
    Centimetre,
    #[sea_orm(string_value = "m")]
    Metre,
    #[sea_orm(string_value = "piece")]
    Piece,
}

impl NetUnit {
    /// The symbol printed after the number.
    pub fn symbol(self) -> String {
        self.to_value()
    }
}

impl FromStr for NetUnit {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let lower = value.trim().to_ascii_lowercase();
        let symbol = match lower.as_str() {
            "gm" | "gms" | "gram" | "grams" => "g",
            "kgs" | "kilogram" | "kilograms" => "kg",
            "millilitre" | "millilitres" | "milliliter" | "milliliters" => "ml",
            "litre" | "litres" | "liter" | "liters" | "ltr" => "l",
            "centimetre" | "centimetres" | "cms" => "cm",
            "metre" | "metres" | "meter" | "meters" | "mtr" => "m",
            "pieces" | "pcs" | "pc" | "n" | "unit" | "units" | "number" => "piece",
            other => other,
        };
        Self::try_from_value(&symbol.to_owned())
            .map_err(|_| format!("{value} is not a unit of net quantity"))
    }
}
