//! Reading a pasted email signature or vCard into a contact's fields.

use super::contact::{NAME_MAX_CHARS, PHONE_MAX_CHARS};
use super::user::parse_email;

/// What a pasted email signature or vCard says about a person; each field is what
/// was recognised, none when nothing fit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardFields {
    pub name: Option<String>,
    pub job_title: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
}

/// The most text a paste is read from.
pub const PASTE_MAX_CHARS: usize = 5_000;

/// Reads a pasted vCard (`BEGIN:VCARD`) or email signature. A signature is read line
/// by line: the email, phone and web address are found by their shape (wherever they
/// are, with or without a "Tel:" label); of the lines left, after greetings, the first
/// is the name, a line that names a role is the title, and a line with a company form
/// ("AB", "Ltd"…) or else the next line is the company.
pub fn read_card(text: &str) -> CardFields {
    let text: String = text.chars().take(PASTE_MAX_CHARS).collect();
    if text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return read_vcard(&text);
    }
    let mut card = CardFields::default();
    let mut rest = Vec::new();
    for line in text.lines().map(clean_line).filter(|l| !l.is_empty()) {
        let mut other = Vec::new();
        for part in line
            .split(['|', '·', '•'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (label, value) = unlabel(part);
            if card.email.is_none() {
                if let Some(email) = value.split_whitespace().find_map(as_email) {
                    card.email = Some(email);
                    continue;
                }
            }
            if card.website.is_none() {
                if let Some(web) = value.split_whitespace().find_map(as_website) {
                    card.website = Some(web);
                    continue;
                }
            }
            if card.phone.is_none() || label.is_some() {
                if let Some(phone) = as_phone(value) {
                    card.phone.get_or_insert(phone);
                    continue;
                }
            }
            other.push(part.to_string());
        }
        rest.extend(other);
    }
    let rest: Vec<String> = rest
        .into_iter()
        .filter(|l| !is_greeting(l) && l.chars().any(char::is_alphabetic))
        .collect();
    let mut lines = rest.into_iter();
    card.name = lines.next().filter(|n| looks_like_name(n));
    let left: Vec<String> = lines.collect();
    card.job_title = left.iter().find(|l| names_a_role(l)).cloned();
    card.company = left
        .iter()
        .find(|l| has_company_form(l))
        .or_else(|| left.iter().find(|l| Some(*l) != card.job_title.as_ref()))
        .cloned();
    card.name = card.name.map(|n| cut(&n, NAME_MAX_CHARS));
    card.job_title = card.job_title.map(|n| cut(&n, NAME_MAX_CHARS));
    card.company = card.company.map(|n| cut(&n, NAME_MAX_CHARS));
    card
}

fn read_vcard(text: &str) -> CardFields {
    // Folded lines (RFC 6350: a line that starts with a space continues the last).
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines() {
        match (
            raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')),
            lines.last_mut(),
        ) {
            (Some(more), Some(last)) => last.push_str(more),
            _ => lines.push(raw.trim_end().to_string()),
        }
    }
    let mut card = CardFields::default();
    let mut structured_name = None;
    for line in &lines {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.split(';').next().unwrap_or("").to_ascii_uppercase();
        let key = key.rsplit('.').next().unwrap_or("");
        let value = unescape(value);
        let value = clean_line(&value);
        if value.is_empty() {
            continue;
        }
        match key {
            "FN" => card.name = Some(cut(&value, NAME_MAX_CHARS)),
            "N" => {
                let parts: Vec<&str> = value.split(';').map(str::trim).collect();
                let given = parts.get(1).copied().unwrap_or("");
                let family = parts.first().copied().unwrap_or("");
                let both = format!("{given} {family}").trim().to_string();
                structured_name = (!both.is_empty()).then_some(both);
            }
            "ORG" => {
                let org = value.split(';').next().unwrap_or("").trim();
                if !org.is_empty() {
                    card.company = Some(cut(org, NAME_MAX_CHARS));
                }
            }
            "TITLE" => card.job_title = Some(cut(&value, NAME_MAX_CHARS)),
            "EMAIL" => card.email = card.email.take().or_else(|| as_email(&value)),
            "TEL" => {
                let number = value.trim_start_matches("tel:");
                card.phone = card.phone.take().or_else(|| as_phone(number));
            }
            "URL" => card.website = card.website.take().or_else(|| as_website(&value)),
            _ => {}
        }
    }
    if card.name.is_none() {
        card.name = structured_name.map(|n| cut(&n, NAME_MAX_CHARS));
    }
    card
}

fn unescape(value: &str) -> String {
    value
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ",")
        .replace("\\\\", "\\")
}

/// A line without what text may not hold, its bullets and surrounding spaces.
fn clean_line(line: &str) -> String {
    let kept: String = line
        .chars()
        .map(|c| {
            if super::validation::is_forbidden_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    kept.trim()
        .trim_start_matches(['-', '–', '—', '*', '>'])
        .trim()
        .to_string()
}

/// "Tel: 08-123 45" → (Some("tel"), "08-123 45").
fn unlabel(part: &str) -> (Option<String>, &str) {
    match part.split_once(':') {
        Some((label, value))
            if label.len() <= 12
                && !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphabetic() || c == ' ' || c == '.')
                && !value.trim_start().starts_with("//") =>
        {
            (Some(label.trim().to_lowercase()), value.trim())
        }
        _ => (None, part),
    }
}

fn as_email(word: &str) -> Option<String> {
    let word = word
        .trim_start_matches("mailto:")
        .trim_matches(|c: char| "<>()[],;\"'".contains(c));
    word.contains('@').then(|| parse_email(word).ok()).flatten()
}

fn as_website(word: &str) -> Option<String> {
    let word = word.trim_matches(|c: char| "<>()[],;\"'".contains(c));
    let lower = word.to_ascii_lowercase();
    let is_web =
        lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.");
    (is_web && !word.contains('@') && word.chars().count() <= super::contact::WEBSITE_MAX_CHARS)
        .then(|| word.trim_end_matches('/').to_string())
}

/// A phone number: 7 to 15 digits with the usual separators and nothing else.
fn as_phone(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let shaped = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().\u{a0}".contains(c));
    (shaped && (7..=15).contains(&digits) && text.chars().count() <= PHONE_MAX_CHARS)
        .then(|| text.replace('\u{a0}', " "))
}

fn is_greeting(line: &str) -> bool {
    const GREETINGS: [&str; 12] = [
        "regards",
        "best",
        "thanks",
        "thank you",
        "cheers",
        "sincerely",
        "mvh",
        "med vänlig",
        "vänliga hälsningar",
        "hälsningar",
        "kind regards",
        "sent from",
    ];
    let lower = line.to_lowercase();
    GREETINGS.iter().any(|g| lower.starts_with(g))
}

fn looks_like_name(line: &str) -> bool {
    let words = line.split_whitespace().count();
    (1..=5).contains(&words) && !line.chars().any(|c| c.is_ascii_digit() || c == '@')
}

fn names_a_role(line: &str) -> bool {
    const ROLES: [&str; 24] = [
        "ceo",
        "cto",
        "cfo",
        "coo",
        "founder",
        "owner",
        "director",
        "manager",
        "head of",
        "lead",
        "chief",
        "president",
        "partner",
        "consultant",
        "engineer",
        "sales",
        "account",
        "officer",
        "vd",
        "chef",
        "ansvarig",
        "säljare",
        "grundare",
        "specialist",
    ];
    let lower = line.to_lowercase();
    ROLES.iter().any(|r| {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .collect::<Vec<_>>()
            .join(" ")
            .split(' ')
            .any(|w| w == *r)
            || (r.contains(' ') && lower.contains(r))
    })
}

fn has_company_form(line: &str) -> bool {
    const FORMS: [&str; 12] = [
        "ab", "hb", "kb", "inc", "ltd", "llc", "gmbh", "oy", "as", "aps", "bv", "plc",
    ];
    line.split(|c: char| !c.is_alphanumeric())
        .any(|w| FORMS.contains(&w.to_lowercase().as_str()))
}

fn cut(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_signature_fills_name_title_company_email_phone_and_website() {
        let card = read_card(
            "Best regards,\n\nEva Berg\nHead of Sales | Acme AB\nMobile: +46 70-123 45 67\n\
             eva.berg@Acme.se · https://www.acme.se/\n",
        );
        assert_eq!(card.name.as_deref(), Some("Eva Berg"));
        assert_eq!(card.job_title.as_deref(), Some("Head of Sales"));
        assert_eq!(card.company.as_deref(), Some("Acme AB"));
        assert_eq!(card.email.as_deref(), Some("eva.berg@acme.se"));
        assert_eq!(card.phone.as_deref(), Some("+46 70-123 45 67"));
        assert_eq!(card.website.as_deref(), Some("https://www.acme.se"));
    }

    #[test]
    fn a_signature_without_a_company_form_takes_the_line_after_the_title() {
        let card = read_card("Jonas Lind\nVD\nLind Måleri\n08-555 123 45\nwww.lindmaleri.se");
        assert_eq!(
            (
                card.name.as_deref(),
                card.job_title.as_deref(),
                card.company.as_deref()
            ),
            (Some("Jonas Lind"), Some("VD"), Some("Lind Måleri"))
        );
        assert_eq!(card.phone.as_deref(), Some("08-555 123 45"));
        assert_eq!(card.website.as_deref(), Some("www.lindmaleri.se"));
    }

    #[test]
    fn a_pasted_vcard_is_read_field_by_field_with_folded_lines() {
        let card = read_card(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Eva;;;\r\nFN:Eva Berg\r\nORG:Acme AB;Sales\r\n\
             TITLE:Head of\r\n  Sales\r\nTEL;TYPE=CELL:+46 70 123 45 67\r\n\
             EMAIL;TYPE=INTERNET:eva@acme.se\r\nURL:https://acme.se\r\nEND:VCARD\r\n",
        );
        assert_eq!(card.name.as_deref(), Some("Eva Berg"));
        assert_eq!(card.company.as_deref(), Some("Acme AB"));
        assert_eq!(card.job_title.as_deref(), Some("Head of Sales"));
        assert_eq!(card.phone.as_deref(), Some("+46 70 123 45 67"));
        assert_eq!(card.email.as_deref(), Some("eva@acme.se"));
        assert_eq!(card.website.as_deref(), Some("https://acme.se"));
    }

    #[test]
    fn a_paste_with_nothing_recognisable_fills_nothing_and_never_breaks() {
        assert_eq!(read_card(""), CardFields::default());
        let odd = read_card("12345\n@@@\n\u{202E}\u{0}");
        assert_eq!((odd.name, odd.email, odd.phone), (None, None, None));
        let huge = "x".repeat(100_000);
        assert!(read_card(&huge).name.map_or(0, |n| n.chars().count()) <= NAME_MAX_CHARS);
    }
}
