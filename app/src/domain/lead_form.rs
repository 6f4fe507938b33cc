//! Web forms: a form on a company's own website posts leads into the inbox, with the
//! form's lead source and the campaign (UTM parameters) it came from. The form is
//! named by a key in its address (`/f/{key}`): public, as it sits in the website's
//! HTML, and revocable. Bots are kept out by a field people never see (the honeypot)
//! and by a least time between showing the form and sending it.

use super::contact::WEBSITE_MAX_CHARS;
use super::ids::LeadFormId;
use super::lead::LeadDraft;
use super::validation::{optional_text, required_text, RuleError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A person takes longer than this to fill a form in; a bot posting at once does not.
pub const MIN_FILL_SECONDS: i64 = 3;
/// A form shown longer ago than this is sent from a stale page (or a made-up time).
pub const MAX_FILL_HOURS: i64 = 24;
/// The longest UTM value kept.
pub const UTM_MAX_CHARS: usize = 100;
/// The longest form name.
pub const FORM_NAME_MAX_CHARS: usize = 80;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LeadForm {
    pub id: LeadFormId,
    pub name: String,
    /// The lead source every lead from this form gets.
    pub source: String,
    /// Where a person is sent after sending the form; Tend's own thank-you page when none.
    pub redirect_url: Option<String>,
    /// The key in the form's address.
    pub key: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl LeadForm {
    /// A new form; `key` is a fresh random one made by the caller.
    pub fn new(
        name: &str,
        source: &str,
        redirect_url: Option<&str>,
        key: String,
        at: DateTime<Utc>,
    ) -> Result<LeadForm, RuleError> {
        let redirect_url = optional_text("redirect_url", redirect_url, WEBSITE_MAX_CHARS)?;
        if redirect_url
            .as_deref()
            .is_some_and(|u| !u.starts_with("https://") && !u.starts_with("http://"))
        {
            return Err(RuleError::invalid(
                "redirect_url",
                "must be a web address starting with https://",
            ));
        }
        Ok(LeadForm {
            id: LeadFormId::new(),
            name: required_text("name", name, FORM_NAME_MAX_CHARS)?,
            source: required_text("source", source, super::deal::LeadSource::MAX_CHARS)?,
            redirect_url,
            key,
            created_at: at,
            revoked_at: None,
        })
    }

    /// The HTML to paste into a website: the form posts to `origin` (Tend's public
    /// address). A small script notes when the form was shown; the `homepage` field is
    /// the honeypot, out of sight and out of the tab order.
    pub fn snippet(&self, origin: &str) -> String {
        let action = format!("{}/f/{}", origin.trim_end_matches('/'), self.key);
        format!(
            r#"<form method="post" action="{action}">
  <label>Name <input name="name" required maxlength="120" autocomplete="name"></label>
  <label>Company <input name="company" maxlength="120" autocomplete="organization"></label>
  <label>Email <input name="email" type="email" maxlength="254" autocomplete="email"></label>
  <label>Phone <input name="phone" type="tel" maxlength="40" autocomplete="tel"></label>
  <label>Message <textarea name="note" maxlength="2000"></textarea></label>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><input name="homepage" tabindex="-1" autocomplete="off"></div>
  <input type="hidden" name="started">
  <script>(function(f){{f.started.value=Date.now();var q=new URLSearchParams(location.search);["utm_source","utm_medium","utm_campaign","utm_term","utm_content"].forEach(function(k){{if(q.get(k)){{var i=document.createElement("input");i.type="hidden";i.name=k;i.value=q.get(k);f.appendChild(i);}}}});}})(document.currentScript.parentNode);</script>
  <button type="submit">Send</button>
</form>"#
        )
    }
}

/// Where a lead's visitor came from, as the website's address said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
}

/// A form as it was sent (form-encoded or JSON): every field text, as a website sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Submission {
    #[serde(default)]
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub note: Option<String>,
    /// The honeypot: people never see it, so it stays empty.
    pub homepage: Option<String>,
    /// When the form was shown, in milliseconds since 1970 (the snippet's script sets it).
    pub started: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
}

/// Why a submission was not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The honeypot was filled in: a bot.
    Honeypot,
    /// Sent sooner after the form was shown than a person could, or with no time or a
    /// time that cannot be.
    TooFast,
    Invalid(RuleError),
}

impl From<RuleError> for Refused {
    fn from(e: RuleError) -> Self {
        Self::Invalid(e)
    }
}

impl Submission {
    /// The lead this submission makes for `form`, with its campaign.
    pub fn read(self, form: &LeadForm, now: DateTime<Utc>) -> Result<(LeadDraft, Utm), Refused> {
        if self
            .homepage
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty())
        {
            return Err(Refused::Honeypot);
        }
        let started = self
            .started
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis)
            .ok_or(Refused::TooFast)?;
        let took = now - started;
        if took < chrono::Duration::seconds(MIN_FILL_SECONDS)
            || took > chrono::Duration::hours(MAX_FILL_HOURS)
        {
            return Err(Refused::TooFast);
        }
        let utm_field =
            |field: &str, v: Option<String>| optional_text(field, v.as_deref(), UTM_MAX_CHARS);
        let utm = Utm {
            source: utm_field("utm_source", self.utm_source)?,
            medium: utm_field("utm_medium", self.utm_medium)?,
            campaign: utm_field("utm_campaign", self.utm_campaign)?,
            term: utm_field("utm_term", self.utm_term)?,
            content: utm_field("utm_content", self.utm_content)?,
        };
        let draft = LeadDraft {
            name: self.name,
            company: self.company,
            email: self.email,
            phone: self.phone,
            note: self.note,
            source: Some(form.source.clone()),
            ..Default::default()
        };
        Ok((draft, utm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-04T10:00:00Z".parse().unwrap()
    }

    fn form() -> LeadForm {
        LeadForm::new("Contact us", "Website", None, "tf_key".into(), now()).unwrap()
    }

    fn sent(seconds_after_shown: i64) -> Submission {
        Submission {
            name: "Eva Berg".into(),
            email: Some("eva@acme.se".into()),
            started: Some(
                (now() - chrono::Duration::seconds(seconds_after_shown))
                    .timestamp_millis()
                    .to_string(),
            ),
            utm_campaign: Some(" spring-sale ".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_form_sent_by_a_person_makes_a_lead_from_the_forms_source_with_its_campaign() {
        let (draft, utm) = sent(20).read(&form(), now()).unwrap();
        assert_eq!(
            (draft.name.as_str(), draft.source.as_deref()),
            ("Eva Berg", Some("Website"))
        );
        assert_eq!(utm.campaign.as_deref(), Some("spring-sale"));
        assert_eq!(utm.source, None);
    }

    #[test]
    fn a_filled_honeypot_or_a_form_sent_too_soon_or_without_a_time_is_refused() {
        let bot = Submission {
            homepage: Some("http://spam".into()),
            ..sent(20)
        };
        assert_eq!(bot.read(&form(), now()), Err(Refused::Honeypot));
        assert_eq!(sent(1).read(&form(), now()), Err(Refused::TooFast));
        assert_eq!(
            sent(-60).read(&form(), now()),
            Err(Refused::TooFast),
            "shown in the future"
        );
        assert_eq!(
            sent(2 * 86_400).read(&form(), now()),
            Err(Refused::TooFast),
            "a stale page"
        );
        let timeless = Submission {
            started: None,
            ..sent(20)
        };
        assert_eq!(timeless.read(&form(), now()), Err(Refused::TooFast));
        let garbled = Submission {
            started: Some("soon".into()),
            ..sent(20)
        };
        assert_eq!(garbled.read(&form(), now()), Err(Refused::TooFast));
    }

    #[test]
    fn an_overlong_campaign_is_refused_naming_it() {
        let long = Submission {
            utm_source: Some("x".repeat(101)),
            ..sent(20)
        };
        match long.read(&form(), now()) {
            Err(Refused::Invalid(e)) => assert_eq!(e.field(), Some("utm_source")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_form_needs_a_name_a_source_and_a_web_address_to_send_people_to() {
        assert_eq!(
            LeadForm::new(" ", "Website", None, "k".into(), now())
                .unwrap_err()
                .field(),
            Some("name")
        );
        assert_eq!(
            LeadForm::new("Contact", "", None, "k".into(), now())
                .unwrap_err()
                .field(),
            Some("source")
        );
        let bad = LeadForm::new(
            "Contact",
            "Website",
            Some("javascript:alert(1)"),
            "k".into(),
            now(),
        );
        assert_eq!(bad.unwrap_err().field(), Some("redirect_url"));
    }

    #[test]
    fn the_snippet_posts_to_the_forms_address_with_a_hidden_honeypot() {
        let html = form().snippet("https://tend.example.com/");
        assert!(html.contains(r#"action="https://tend.example.com/f/tf_key""#));
        assert!(html.contains(r#"name="homepage" tabindex="-1""#));
        assert!(html.contains(r#"name="started""#));
    }
}
