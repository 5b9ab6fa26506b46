//! The console's forms: fields as the templates lay them out, the API's field errors
//! by input path, and the few conversions a form needs before the API sees the values
//! (rupees typed by a person into paise).

use serde::Deserialize;
use serde_json::Value;

use crate::{
    foundation::{FormData, field},
    graphql::GqlError,
    i18n::Tr,
};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserError {
    pub field: Vec<String>,
    pub message: String,
}

/// Field errors keyed by their input path without the leading `input`, joined with
/// dots (`declarations.consumerCare`, `attributes.volume_ml`), which is also the
/// name of the form field that holds the value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn from_user_errors(errors: &[UserError]) -> Self {
        Self(
            errors
                .iter()
                .map(|e| {
                    let path: Vec<&str> = e
                        .field
                        .iter()
                        .map(String::as_str)
                        .skip_while(|part| *part == "input")
                        .collect();
                    (path.join("."), e.message.clone())
                })
                .collect(),
        )
    }

    pub fn push(&mut self, field: &str, message: String) {
        self.0.push((field.to_owned(), message));
    }

    pub fn of(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .reduce(|a, b| format!("{a} {b}"))
    }

    /// The errors that name none of `fields`, shown above the form.
    pub fn general(&self, fields: &[String]) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| !fields.contains(f))
            .map(|(_, m)| m.clone())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One field of a form.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The form field's name: the input path it fills.
    pub name: String,
    pub label: String,
    /// `text`, `number`, `date`, `select` or `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
    pub required: bool,
    /// A hint under the label (a unit, what the field is for).
    pub hint: Option<String>,
    /// A select's choices: value and label.
    pub options: Vec<(String, String)>,
    /// `inputmode` of a number typed on a phone's keyboard.
    pub inputmode: &'static str,
    /// Keeps the element ids unique when a page holds several forms with the same
    /// field names (one per variant).
    pub scope: String,
}

impl Field {
    pub fn new(name: &str, label: String, kind: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            label,
            kind,
            value: String::new(),
            error: None,
            required: false,
            hint: None,
            options: Vec::new(),
            inputmode: "",
            scope: String::new(),
        }
    }

    pub fn scoped(mut self, scope: &str) -> Self {
        self.scope = scope.to_owned();
        self
    }

    /// The element id: the name with the characters ids avoid replaced.
    pub fn id(&self) -> String {
        format!("f-{}", self.slug())
    }

    pub fn error_id(&self) -> String {
        format!("e-{}", self.slug())
    }

    fn slug(&self) -> String {
        let name = self.name.replace(['.', ' '], "-");
        if self.scope.is_empty() {
            name
        } else {
            format!("{}-{name}", self.scope)
        }
    }

    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    pub fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    pub fn decimal(mut self) -> Self {
        self.inputmode = "decimal";
        self
    }

    pub fn numeric(mut self) -> Self {
        self.inputmode = "numeric";
        self
    }

    /// Fills the value from the posted form (what was typed is kept), else from
    /// `stored`, and the error from `errors`.
    pub fn fill(mut self, form: Option<&FormData>, stored: &str, errors: &Errors) -> Self {
        self.value = match form {
            Some(form) => field(form, &self.name).to_owned(),
            None => stored.to_owned(),
        };
        self.error = errors.of(&self.name);
        self
    }
}

/// Rupees typed by a person (`450`, `450.5`, `1,450.50`) as paise; None when it is not
/// an amount with at most two decimals.
pub(crate) fn paise(text: &str) -> Option<i64> {
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let rupees: i64 = whole.parse().ok()?;
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()?.checked_mul(10)?,
        _ => fraction.parse().ok()?,
    };
    rupees.checked_mul(100)?.checked_add(fraction)
}

/// Paise as rupees for a form field (`450.50`).
pub(crate) fn rupees_field(paise: i64) -> String {
    crate::money::decimal(paise)
}

/// A whole number a form field holds; None when blank.
pub(crate) fn whole(text: &str, name: &str, t: &Tr, errors: &mut Errors) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(name, t.t("con-error-whole-number"));
            None
        }
    }
}

/// The items of a list typed into one field, one a line or separated by commas
/// (`Leh, Kargil`), trimmed, blanks left out.
pub(crate) fn items(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads one payload of a mutation's answer.
pub(crate) fn payload<T: serde::de::DeserializeOwned>(
    data: &Value,
    name: &str,
) -> Result<T, GqlError> {
    data.get(name)
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| GqlError::Internal(e.to_string()))?
        .ok_or_else(|| GqlError::Internal(format!("no {name} payload")))
}

/// The answer of a mutation whose only interest is its errors.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorsOnly {
    pub errors: Vec<UserError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupees_typed_become_paise() {
        assert_eq!(paise("450"), Some(45_000));
        assert_eq!(paise("450.5"), Some(45_050));
        assert_eq!(paise(" 1,450.05 "), Some(145_005));
        assert_eq!(paise("0.99"), Some(99));
        for bad in ["", ".5", "4.505", "-3", "abc", "1e3"] {
            assert_eq!(paise(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_are_typed_by_line_or_comma() {
        assert_eq!(
            items("Leh, Kargil\r\nNubra\n\n ,"),
            ["Leh", "Kargil", "Nubra"]
        );
        assert!(items("  ").is_empty());
    }

    #[test]
    fn errors_are_keyed_by_path_without_input() {
        let errors = Errors::from_user_errors(&[UserError {
            field: vec!["input".into(), "declarations".into(), "consumerCare".into()],
            message: "required".into(),
        }]);
        assert_eq!(
            errors.of("declarations.consumerCare").as_deref(),
            Some("required")
        );
        assert!(
            errors
                .general(&["declarations.consumerCare".to_owned()])
                .is_empty()
        );
    }
}
