//! Likely duplicates: the same person captured twice, by two reps or from two channels.
//! Two records are likely the same when their email is the same (ignoring case), their
//! phone number ends in the same nine digits (so `070-123 45 67` and `+46 70 123 45 67`
//! meet), or their names are nearly the same (Jaro-Winkler over folded names, so
//! `Åsa Öberg` and `asa oberg` meet) with no email or phone telling them apart.

use serde::{Deserialize, Serialize};

/// How alike two folded names must be to count as one (Jaro-Winkler, 0 to 1).
pub const NAME_ALIKE: f64 = 0.93;

/// A name folded for comparing: lower case, common Latin accents dropped, company forms
/// ("AB", "Ltd"…) and punctuation removed, spaces collapsed.
pub fn fold_name(name: &str) -> String {
    const FORMS: [&str; 12] = [
        "ab", "hb", "kb", "inc", "ltd", "llc", "gmbh", "oy", "as", "aps", "bv", "plc",
    ];
    let mut folded = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' => folded.push('a'),
            'ö' | 'ø' | 'ò' | 'ó' | 'ô' | 'õ' => folded.push('o'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'ü' | 'ù' | 'ú' | 'û' => folded.push('u'),
            'í' | 'ì' | 'î' | 'ï' => folded.push('i'),
            'ç' => folded.push('c'),
            'ñ' => folded.push('n'),
            'æ' => folded.push_str("ae"),
            'ß' => folded.push_str("ss"),
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded
        .split_whitespace()
        .filter(|w| !FORMS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last nine digits of a phone number, which stay the same however the country
/// code or trunk prefix is written; none for fewer than seven digits.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    Some(digits[digits.len().saturating_sub(9)..].iter().collect())
}

/// What is known of someone, to compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact<'a> {
    pub name: &'a str,
    pub company: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Why two records look like one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Alike {
    Email,
    Phone,
    Name,
}

impl Alike {
    /// As people read it: "the same email".
    pub fn label(self) -> &'static str {
        match self {
            Alike::Email => "the same email",
            Alike::Phone => "the same phone number",
            Alike::Name => "a very similar name",
        }
    }
}

/// Whether `a` and `b` are likely the same person, and the strongest reason.
pub fn alike(a: &Contact, b: &Contact) -> Option<Alike> {
    let same = |x: Option<&str>, y: Option<&str>, key: fn(&str) -> Option<String>| match (
        x.and_then(key),
        y.and_then(key),
    ) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    let email = same(a.email, b.email, |e| Some(e.trim().to_lowercase()));
    if email == Some(true) {
        return Some(Alike::Email);
    }
    let phone = same(a.phone, b.phone, phone_key);
    if phone == Some(true) {
        return Some(Alike::Phone);
    }
    // A different email or phone says these are two people with alike names.
    if email == Some(false) || phone == Some(false) {
        return None;
    }
    let (x, y) = (fold_name(a.name), fold_name(b.name));
    let names_alike = !x.is_empty() && strsim::jaro_winkler(&x, &y) >= NAME_ALIKE;
    let companies_differ = match (a.company.map(fold_name), b.company.map(fold_name)) {
        (Some(p), Some(q)) if !p.is_empty() && !q.is_empty() => {
            strsim::jaro_winkler(&p, &q) < NAME_ALIKE
        }
        _ => false,
    };
    (names_alike && !companies_differ).then_some(Alike::Name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person<'a>(name: &'a str, email: Option<&'a str>, phone: Option<&'a str>) -> Contact<'a> {
        Contact {
            name,
            company: None,
            email,
            phone,
        }
    }

    #[test]
    fn names_fold_accents_case_punctuation_and_company_forms() {
        assert_eq!(fold_name("  Åsa  Öberg "), "asa oberg");
        assert_eq!(fold_name("Lundgren & Söner AB"), "lundgren soner");
        assert_eq!(fold_name("Acme, Ltd."), "acme");
    }

    #[test]
    fn a_phone_number_is_known_by_its_last_nine_digits() {
        assert_eq!(phone_key("070-123 45 67"), phone_key("+46 70 123 45 67"));
        assert_eq!(phone_key("+46 (0)70 123 45 67"), Some("701234567".into()));
        assert_eq!(phone_key("12 34"), None);
    }

    #[test]
    fn the_same_email_or_phone_is_the_same_person_whatever_the_name() {
        let a = person("Eva Berg", Some("Eva@Acme.se"), None);
        let b = person("E. Berg (Acme)", Some("eva@acme.se "), None);
        assert_eq!(alike(&a, &b), Some(Alike::Email));
        let c = person("Eva", None, Some("070-123 45 67"));
        let d = person("Someone", None, Some("+46701234567"));
        assert_eq!(alike(&c, &d), Some(Alike::Phone));
    }

    #[test]
    fn a_very_similar_name_is_likely_the_same_unless_email_phone_or_company_differ() {
        let a = person("Åsa Öberg", None, None);
        assert_eq!(
            alike(&a, &person("Asa Oberg", None, None)),
            Some(Alike::Name)
        );
        assert_eq!(
            alike(&a, &person("Asa Öhberg", None, None)),
            Some(Alike::Name)
        );
        assert_eq!(alike(&a, &person("Anna Lind", None, None)), None);
        let other_mail = person("Asa Oberg", Some("asa@other.se"), None);
        let with_mail = person("Åsa Öberg", Some("asa@acme.se"), None);
        assert_eq!(
            alike(&with_mail, &other_mail),
            None,
            "two people with one name"
        );
        let at_acme = Contact {
            company: Some("Acme AB"),
            ..a.clone()
        };
        let at_solberg = Contact {
            company: Some("Solberg Bygg"),
            ..person("Asa Oberg", None, None)
        };
        assert_eq!(alike(&at_acme, &at_solberg), None);
    }
}
