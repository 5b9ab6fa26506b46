use std::fmt;

/// A sales channel outside the marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// NCUI Haat, the National Cooperative Union of India's e-commerce platform.
    NcuiHaat,
    /// GeM, the Government e-Marketplace.
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

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.slug() == slug)
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
