//! Laying a message's words out as HTML (every value escaped by askama) and as plain
//! text (not escaped: it is no markup).

use askama::Template;

use crate::{
    Language, Message, NotificationError,
    copy::{Copy, copy},
};

#[derive(Template)]
#[template(path = "message.html")]
struct Html<'a> {
    lang: &'a str,
    copy: &'a Copy,
}

#[derive(Template)]
#[template(path = "message.txt")]
struct Text<'a> {
    copy: &'a Copy,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

impl Rendered {
    /// Renders a message without recording it.
    pub fn of(message: &Message, language: Language) -> Result<Self, NotificationError> {
        render(message, language)
    }
}

pub fn render(message: &Message, language: Language) -> Result<Rendered, NotificationError> {
    let copy = copy(message, language);
    let html = Html {
        lang: language.tag(),
        copy: &copy,
    }
    .render()?;
    let text = Text { copy: &copy }.render()?;
    Ok(Rendered {
        subject: copy.subject.clone(),
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped_in_html_and_kept_in_text() {
        let message = Message::StaffInvitation {
            invitee_name: "<script>alert(1)</script> & Co".to_owned(),
            token: "tok\"en".to_owned(),
            expires_at: chrono::DateTime::UNIX_EPOCH,
            accept_url: Some("https://shop.example.org/console/invitation?token=tok".to_owned()),
        };
        let rendered = render(&message, Language::English).unwrap();
        assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
        assert!(
            rendered.html.contains("&#60;script&#62;") || rendered.html.contains("&lt;script&gt;"),
            "{}",
            rendered.html
        );
        assert!(rendered.text.contains("<script>alert(1)</script> & Co"));
        assert!(rendered.text.contains("tok\"en"));
    }

    #[test]
    fn hindi_messages_are_in_hindi() {
        let rendered = render(&Message::RegistrationAttempt, Language::Hindi).unwrap();
        assert!(rendered.subject.contains("पंजीकरण"));
        assert!(
            rendered
                .html
                .starts_with("<!DOCTYPE html>\n<html lang=\"hi\">")
        );
    }
}
