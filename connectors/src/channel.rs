use std::{fmt, str::FromStr};

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

/// A sales channel outside the marketplace. Stored as its upper-case name; a stored
/// value outside this set fails to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Channel {
    /// NCUI Haat, the National Cooperative Union of India's e-commerce platform.
    #[sea_orm(string_value = "NCUI_HAAT")]
    NcuiHaat,
    /// GeM, the Government e-Marketplace.
    #[sea_orm(string_value = "GEM")]
    Gem,
}

impl Channel {
    pub const ALL: [Self; 2] = [Self::NcuiHaat, Self::Gem];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NcuiHaat => "NCUI_HAAT",
            Self::Gem => "GEM",
        }
    }

    /// The channel's segment in URLs: `/feeds/gem/…`, `/channels/ncui-haat/…`.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::NcuiHaat => "ncui-haat",
            Self::Gem => "gem",
        }
    }

    /// The channel a URL segment names, if any (the inverse of [`Channel::slug`]).
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "ncui-haat" => Some(Self::NcuiHaat),
            "gem" => Some(Self::Gem),
            _ => None,
        }
    }
}

/// Parses the stored (upper-case) name, e.g. `NCUI_HAAT`.
impl FromStr for Channel {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&text.to_owned()).map_err(|_| format!("unknown channel {text}"))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn names_and_slugs_round_trip() {
        for channel in Channel::iter() {
            assert_eq!(channel.to_value(), channel.as_str());
            assert_eq!(channel.as_str().parse::<Channel>(), Ok(channel));
            assert_eq!(Channel::from_slug(channel.slug()), Some(channel));
        }
        assert_eq!(Channel::ALL.len(), Channel::iter().count());
    }

    #[test]
    fn an_unknown_channel_is_an_error() {
        assert!("AMAZON".parse::<Channel>().is_err());
        assert!("gem".parse::<Channel>().is_err());
        assert_eq!(Channel::from_slug("GEM"), None);
        assert!(Channel::try_from_value(&"FLIPKART".to_owned()).is_err());
    }
}
