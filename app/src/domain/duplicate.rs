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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Alike {
    Email,
    Phone,
    Website,
    Name,
}

impl Alike {
    /// As people read it: "the same email".
    pub fn label(self) -> &'static str {
        match self {
            Alike::Email => "the same email",
            Alike::Phone => "the same phone number",
            Alike::Website => "the same website",
            Alike::Name => "a very similar name",
        }
    }
}

/// Whether `a` and `b` are likely the same person, and the strongest reason.
pub fn alike(a: &Contact, b: &Contact) -> Option<Alike> {
    alike_folded(&Folded::person(a), &Folded::person(b))
}

/// What a record is compared by, worked out once: its folded name, and the keys of its
/// email, phone, company or website.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Folded {
    name: String,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
}

impl Folded {
    fn person(c: &Contact) -> Folded {
        Folded {
            name: fold_name(c.name),
            company: c.company.map(fold_name).filter(|c| !c.is_empty()),
            email: c
                .email
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty()),
            phone: c.phone.and_then(phone_key),
            website: None,
        }
    }

    fn company(c: &Company) -> Folded {
        Folded {
            name: fold_name(c.name),
            website: c.website.and_then(website_key),
            ..Folded::default()
        }
    }
}

fn alike_folded(a: &Folded, b: &Folded) -> Option<Alike> {
    let same = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    let email = same(&a.email, &b.email);
    if email == Some(true) {
        return Some(Alike::Email);
    }
    let phone = same(&a.phone, &b.phone);
    if phone == Some(true) {
        return Some(Alike::Phone);
    }
    // A different email or phone says these are two people with alike names.
    if email == Some(false) || phone == Some(false) {
        return None;
    }
    let names_alike = !a.name.is_empty() && strsim::jaro_winkler(&a.name, &b.name) >= NAME_ALIKE;
    let companies_differ = match (&a.company, &b.company) {
        (Some(p), Some(q)) => strsim::jaro_winkler(p, q) < NAME_ALIKE,
        _ => false,
    };
    (names_alike && !companies_differ).then_some(Alike::Name)
}

/// How alike two folded organization names must be to count as one: stricter than
/// for people, since "Nordic Tools" and "Nordic Foods" are two companies.
pub const ORGANIZATION_ALIKE: f64 = 0.96;

/// What is known of an organization, to compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Company<'a> {
    pub name: &'a str,
    pub website: Option<&'a str>,
}

/// The host of a web address without `www.`, lower-cased: `https://www.Acme.se/x`
/// and `acme.se` are one site.
pub fn website_key(website: &str) -> Option<String> {
    let w = website.trim().to_lowercase();
    let w = w
        .strip_prefix("https://")
        .or_else(|| w.strip_prefix("http://"))
        .unwrap_or(&w);
    let host = w.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    host.contains('.').then(|| host.to_string())
}

/// Whether two organizations are likely one, and why: the same website, or names
/// that fold to nearly the same ("Acme AB" and "ACME").
pub fn alike_companies(a: &Company, b: &Company) -> Option<Alike> {
    company_alike_folded(&Folded::company(a), &Folded::company(b))
}

fn company_alike_folded(a: &Folded, b: &Folded) -> Option<Alike> {
    if let (Some(x), Some(y)) = (&a.website, &b.website) {
        if x == y {
            return Some(Alike::Website);
        }
    }
    let (x, y) = (&a.name, &b.name);
    (!x.is_empty() && (x == y || strsim::jaro_winkler(x, y) >= ORGANIZATION_ALIKE))
        .then_some(Alike::Name)
}

/// Two records that look like one, by their places in the list searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub why: Alike,
}

/// The most pairs one search reports: merging them brings up the next.
pub const PAIRS_MAX: usize = 200;
/// How many neighbours (in folded-name order) each record is compared with inside one
/// group: records alike by name sort next to each other, so a group of thousands costs
/// thousands of comparisons, not millions.
const NEIGHBOURS: usize = 10;

/// Likely duplicates among people, the likeliest first (email, phone, then name).
/// Only records sharing a key are compared: an email, a phone number, the start of
/// the name or of the last name.
pub fn people_pairs(people: &[Contact]) -> Vec<Pair> {
    let folded: Vec<Folded> = people.iter().map(Folded::person).collect();
    pairs(
        &folded,
        |p| {
            let last = p.name.rsplit(' ').next().unwrap_or("");
            [
                p.email.as_ref().map(|e| format!("e{e}")),
                p.phone.as_ref().map(|k| format!("p{k}")),
                Some(format!("n{}", prefix(&p.name, 2))),
                Some(format!("l{}", prefix(last, 3))),
            ]
            .into_iter()
            .flatten()
            .collect()
        },
        alike_folded,
    )
}

/// Likely duplicates among organizations, the likeliest first (website, then name).
pub fn company_pairs(companies: &[Company]) -> Vec<Pair> {
    let folded: Vec<Folded> = companies.iter().map(Folded::company).collect();
    pairs(
        &folded,
        |c| {
            [
                c.website.as_ref().map(|k| format!("w{k}")),
                Some(format!("n{}", prefix(&c.name, 3))),
            ]
            .into_iter()
            .flatten()
            .collect()
        },
        company_alike_folded,
    )
}

fn prefix(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

fn pairs(
    records: &[Folded],
    keys: impl Fn(&Folded) -> Vec<String>,
    same: impl Fn(&Folded, &Folded) -> Option<Alike>,
) -> Vec<Pair> {
    use std::collections::{HashMap, HashSet};
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for key in keys(r) {
            groups.entry(key).or_default().push(i);
        }
    }
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for members in groups.values_mut() {
        members.sort_by(|x, y| records[*x].name.cmp(&records[*y].name).then(x.cmp(y)));
        for (n, &i) in members.iter().enumerate() {
            for &j in members.iter().skip(n + 1).take(NEIGHBOURS) {
                let (a, b) = (i.min(j), i.max(j));
                if !seen.insert((a, b)) {
                    continue;
                }
                if let Some(why) = same(&records[a], &records[b]) {
                    found.push(Pair { a, b, why });
                }
            }
        }
    }
    found.sort_by_key(|p| (p.why, p.a, p.b));
    found.truncate(PAIRS_MAX);
    found
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

    #[test]
    fn people_sharing_an_email_phone_or_near_name_are_paired_once_each() {
        let people = [
            person("Eva Berg", Some("eva@acme.se"), None),
            person("Jonas Lind", None, Some("070-555 12 34")),
            person("E. Berg", Some("EVA@acme.se"), None),
            person("Jonas Lindh", None, None),
            person("Karin Ek", None, None),
            person("J Lind", None, Some("+46 70 555 12 34")),
        ];
        let found = people_pairs(&people);
        assert_eq!(
            found,
            [
                Pair {
                    a: 0,
                    b: 2,
                    why: Alike::Email
                },
                Pair {
                    a: 1,
                    b: 5,
                    why: Alike::Phone
                },
                Pair {
                    a: 1,
                    b: 3,
                    why: Alike::Name
                },
            ]
        );
    }

    #[test]
    fn a_large_group_of_like_names_is_searched_by_neighbours_and_reports_at_most_the_limit() {
        let names: Vec<String> = (0..5_000)
            .map(|i| format!("Anna Svensson {i:04}"))
            .collect();
        let people: Vec<Contact> = names.iter().map(|n| person(n, None, None)).collect();
        let found = people_pairs(&people);
        assert_eq!(found.len(), PAIRS_MAX);
        assert!(found.iter().all(|p| p.a < p.b && p.why == Alike::Name));
    }

    #[test]
    fn organizations_are_one_by_website_or_by_nearly_the_same_name() {
        let company = |name, website| Company { name, website };
        let acme = company("Acme AB", Some("https://www.acme.se/om-oss"));
        assert_eq!(
            alike_companies(&acme, &company("Acme Sweden", Some("acme.se"))),
            Some(Alike::Website)
        );
        assert_eq!(
            alike_companies(&acme, &company("ACME", None)),
            Some(Alike::Name)
        );
        assert_eq!(
            alike_companies(
                &company("Nordic Tools", None),
                &company("Nordic Foods", None)
            ),
            None
        );
        let found = company_pairs(&[
            acme,
            company("Solberg Bygg", None),
            company("acme ab", None),
        ]);
        assert_eq!(
            found,
            [Pair {
                a: 0,
                b: 2,
                why: Alike::Name
            }]
        );
    }
}
