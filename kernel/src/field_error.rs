//! Field-level validation errors: what every domain crate returns when an input is
//! wrong, so that the API can name the field (`input.variants.0.price`) with a code.

/// What kind of problem a [`FieldError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorCode {
    Required,
    Invalid,
    OutOfRange,
    Taken,
    NotFound,
    /// The value is well-formed but a business rule forbids it.
    NotAllowed,
    /// The price changed since the buyer last saw it; the new price is in the message.
    PriceChanged,
    /// Not enough units in stock.
    OutOfStock,
}

/// One problem with one input field; `field` is a path such as `["variants", "0", "sku"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Vec<String>,
    pub code: FieldErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.split('.').map(str::to_owned).collect(),
            code,
            message: message.into(),
        }
    }

    /// The same error, one level deeper in an input (e.g. under `variants.2`).
    pub fn under(mut self, prefix: &str) -> Self {
        let mut field: Vec<String> = prefix.split('.').map(str::to_owned).collect();
        field.append(&mut self.field);
        self.field = field;
        self
    }
}

/// Collects field errors while an input is checked, so that one reply lists them all.
#[derive(Debug, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, code: FieldErrorCode, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Checks a text field's length (and presence when `required`), recording the
    /// problem, and returns it trimmed.
    pub fn text(&mut self, field: &str, value: &str, max: usize, required: bool) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            self.push(
                field,
                FieldErrorCode::Required,
                format!("{field} is required"),
            );
        } else if value.chars().count() > max {
            self.push(
                field,
                FieldErrorCode::OutOfRange,
                format!("{field} must have at most {max} characters"),
            );
        }
        value.to_owned()
    }

    pub fn extend_under(&mut self, prefix: &str, errors: Vec<FieldError>) {
        self.0.extend(errors.into_iter().map(|e| e.under(prefix)));
    }

    /// `Ok` when nothing was collected.
    pub fn finish(self) -> Result<(), InvalidInput> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(InvalidInput(self.0))
        }
    }
}

/// An input refused with every problem found in it; each domain's error wraps it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
pub struct InvalidInput(pub Vec<FieldError>);
