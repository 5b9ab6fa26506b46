use sea_orm::{DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// The language a user's messages are written in; stored as its ISO 639-1 code (a
/// stored value outside this set fails to load).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Language {
    #[default]
    #[sea_orm(string_value = "en")]
    English,
    #[sea_orm(string_value = "hi")]
    Hindi,
}

impl Language {
    /// The BCP 47 tag, for `lang` attributes and `Content-Language`.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Hindi => "hi",
        }
    }
}
