//! The interface's languages. Every word a page shows comes from the Fluent files in
//! `web/i18n/<lang>/`, compiled into the binary; a test keeps both languages' message
//! sets equal.

use std::sync::OnceLock;

use actix_web::{HttpRequest, http::header};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::{LanguageIdentifier, langid};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Hi,
}

const EN_FILES: &[&str] = &[
    include_str!("../i18n/en/storefront.ftl"),
    include_str!("../i18n/en/console.ftl"),
];
const HI_FILES: &[&str] = &[
    include_str!("../i18n/hi/storefront.ftl"),
    include_str!("../i18n/hi/console.ftl"),
];

impl Lang {
    #[cfg(test)]
    pub const ALL: [Self; 2] = [Self::En, Self::Hi];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Hi => "hi",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Self::En),
            "hi" => Some(Self::Hi),
            _ => None,
        }
    }

    /// The first language of `Accept-Language` we speak; English otherwise.
    pub fn from_accept_language(request: &HttpRequest) -> Self {
        let Ok(accept) = <header::AcceptLanguage as header::Header>::parse(request) else {
            return Self::En;
        };
        accept
            .ranked()
            .iter()
            .find_map(|preference| match preference {
                header::Preference::Specific(tag) => Self::from_code(tag.primary_language()),
                header::Preference::Any => None,
            })
            .unwrap_or(Self::En)
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Self::En => langid!("en"),
            Self::Hi => langid!("hi"),
        }
    }

    fn files(self) -> &'static [&'static str] {
        match self {
            Self::En => EN_FILES,
            Self::Hi => HI_FILES,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static EN: OnceLock<Bundle> = OnceLock::new();
    static HI: OnceLock<Bundle> = OnceLock::new();
    let cell = match lang {
        Lang::En => &EN,
        Lang::Hi => &HI,
    };
    cell.get_or_init(|| {
        let mut bundle = FluentBundle::new_concurrent(vec![lang.id()]);
        // Isolation marks would end up inside attributes and titles.
        bundle.set_use_isolating(false);
        for source in lang.files() {
            let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(
                |(resource, errors)| {
                    tracing::error!(?errors, lang = lang.code(), "a Fluent file has errors");
                    resource
                },
            );
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(?errors, lang = lang.code(), "duplicate Fluent messages");
            }
        }
        bundle
    })
}

/// The translator a template holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tr {
    pub lang: Lang,
}

impl Tr {
    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = bundle(self.lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::error!(key, lang = self.lang.code(), "missing Fluent message");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::error!(key, ?errors, "a Fluent message did not format");
        }
        text.into_owned()
    }

    /// A message without arguments.
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// A message with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl AsRef<str>) -> String {
        let mut args = FluentArgs::new();
        args.set(
            name.to_owned(),
            FluentValue::from(value.as_ref().to_owned()),
        );
        self.format(key, Some(&args))
    }

    /// A message with a count (plural rules apply).
    pub fn n(&self, key: &str, count: impl Count) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count.count()));
        self.format(key, Some(&args))
    }
}

/// A count as templates hold it (by value or by reference).
pub(crate) trait Count {
    fn count(&self) -> i64;
}

impl Count for i64 {
    fn count(&self) -> i64 {
        *self
    }
}

impl<T: Count + ?Sized> Count for &T {
    fn count(&self) -> i64 {
        (**self).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(lang: Lang) -> std::collections::BTreeSet<String> {
        lang.files()
            .iter()
            .flat_map(|source| source.lines())
            .filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                (!id.starts_with(' ') && !id.starts_with('#') && !id.is_empty())
                    .then(|| id.trim().to_owned())
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let en = ids(Lang::En);
        assert!(en.len() > 50);
        assert_eq!(en, ids(Lang::Hi));
    }

    #[test]
    fn every_message_formats() {
        for lang in Lang::ALL {
            let bundle = bundle(lang);
            for id in ids(lang) {
                let pattern = bundle.get_message(&id).and_then(|m| m.value());
                assert!(pattern.is_some(), "{id} in {}", lang.code());
            }
        }
    }
}
