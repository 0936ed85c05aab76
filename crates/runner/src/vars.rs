//! `{{name}}` substitution over the variable scopes, and the dynamic
//! variables (`{{$guid}}`, `{{$timestamp}}`, `{{$randomInt}}`, …).

use portico_script::Scopes;
use serde_json::Value;

/// The text of a variable's value: strings as they are, other JSON as JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Looks `name` up: local, then data, environment, collection, globals.
pub fn lookup<'a>(scopes: &'a Scopes, name: &str) -> Option<&'a Value> {
    scopes
        .local
        .get(name)
        .or_else(|| scopes.data.get(name))
        .or_else(|| scopes.environment.get(name))
        .or_else(|| scopes.collection.get(name))
        .or_else(|| scopes.globals.get(name))
}

/// Replaces every `{{name}}` in `template` with its value, exactly as
/// `pm.variables.replaceIn` does in scripts ([`portico_script::replace_in`]):
/// names that no scope defines (and that are not dynamic variables) are left
/// as they are, and values that hold `{{…}}` are resolved too. The dynamic
/// variables the script engine does not make up (`{{$randomEmail}}`, …)
/// are filled in afterwards.
pub fn substitute(template: &str, scopes: &Scopes, random: &mut Random) -> String {
    if !template.contains("{{") {
        return template.to_owned();
    }
    let replaced = portico_script::replace_in(template, scopes);
    if !replaced.contains("{{$") {
        return replaced;
    }
    let random = std::cell::RefCell::new(random);
    portico_script::substitute_once(&replaced, &|name| resolve(name, scopes, &mut random.borrow_mut())).0
}

fn resolve(name: &str, scopes: &Scopes, random: &mut Random) -> Option<String> {
    if let Some(v) = lookup(scopes, name) {
        return Some(value_text(v));
    }
    name.strip_prefix('$').and_then(|d| dynamic(d, random))
}

/// A small, fast generator for dynamic variables (not for secrets).
#[derive(Debug, Clone)]
pub struct Random(u64);

impl Random {
    pub fn new() -> Random {
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        Random(u64::from_le_bytes(seed) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let i = self.below(list.len() as u64) as usize;
        list.get(i).copied().unwrap_or_default()
    }

    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char)
            .collect()
    }
}

impl Default for Random {
    fn default() -> Self {
        Random::new()
    }
}

const FIRST: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John",
];
const LAST: &[&str] = &[
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "McCarthy",
];
const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
];
const CITIES: &[&str] = &["Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Denver", "Lyon"];
const COUNTRIES: &[&str] = &["Portugal", "Norway", "Kenya", "Peru", "Japan", "France"];
const COLORS: &[&str] = &["red", "green", "blue", "orange", "purple", "teal", "black"];
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

/// The value of a dynamic variable (`name` without its `$`).
pub fn dynamic(name: &str, r: &mut Random) -> Option<String> {
    let v = match name {
        "guid" | "randomUUID" => uuid::Uuid::new_v4().to_string(),
        "timestamp" => unix_now().0.to_string(),
        "isoTimestamp" => iso_timestamp(unix_now()),
        "randomInt" => r.below(1001).to_string(),
        "randomAlphaNumeric" => r.alnum(1),
        "randomBoolean" => (r.below(2) == 1).to_string(),
        "randomFirstName" => r.pick(FIRST).to_owned(),
        "randomLastName" => r.pick(LAST).to_owned(),
        "randomFullName" => format!("{} {}", r.pick(FIRST), r.pick(LAST)),
        "randomUserName" => format!("{}.{}{}", r.pick(FIRST), r.pick(LAST), r.below(100)),
        "randomEmail" | "randomExampleEmail" => format!(
            "{}.{}{}@{}",
            r.pick(FIRST).to_lowercase(),
            r.pick(LAST).to_lowercase(),
            r.below(100),
            r.pick(DOMAINS)
        ),
        "randomPassword" => r.alnum(15),
        "randomWord" | "randomNoun" | "randomVerb" | "randomAdjective" | "randomLoremWord" => r.pick(WORDS).to_owned(),
        "randomWords" | "randomLoremWords" => {
            format!("{} {} {}", r.pick(WORDS), r.pick(WORDS), r.pick(WORDS))
        }
        "randomLoremSentence" => format!("{} {} {}.", r.pick(WORDS), r.pick(WORDS), r.pick(WORDS)),
        "randomCity" => r.pick(CITIES).to_owned(),
        "randomCountry" => r.pick(COUNTRIES).to_owned(),
        "randomColor" => r.pick(COLORS).to_owned(),
        "randomHexColor" => format!("#{:06x}", r.below(0x100_0000)),
        "randomIP" => format!("{}.{}.{}.{}", r.below(256), r.below(256), r.below(256), r.below(256)),
        "randomIPV6" => (0..8)
            .map(|_| format!("{:x}", r.below(0x10000)))
            .collect::<Vec<_>>()
            .join(":"),
        "randomUrl" => format!("https://{}.{}", r.pick(WORDS), r.pick(DOMAINS)),
        "randomDomainName" => format!("{}.{}", r.pick(WORDS), r.pick(DOMAINS)),
        "randomPhoneNumber" => format!("{:03}-{:03}-{:04}", r.below(1000), r.below(1000), r.below(10000)),
        "randomPrice" => format!("{}.{:02}", r.below(1000), r.below(100)),
        "randomCompanyName" => format!("{} {}", r.pick(LAST), r.pick(&["Inc", "LLC", "Group"])),
        "randomJobTitle" => r.pick(&["Engineer", "Designer", "Manager", "Analyst"]).to_owned(),
        "randomCurrencyCode" => r.pick(&["EUR", "USD", "JPY", "GBP"]).to_owned(),
        _ => return None,
    };
    Some(v)
}

/// Seconds and milliseconds since the Unix epoch.
pub fn unix_now() -> (u64, u32) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_millis())
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn iso_timestamp((secs, millis): (u64, u32)) -> String {
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
}

pub use portico_script::civil;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scopes() -> Scopes {
        let mut s = Scopes::default();
        s.globals.insert("g".into(), json!("global"));
        s.globals.insert("shadow".into(), json!("global"));
        s.collection.insert("shadow".into(), json!("collection"));
        s.environment.insert("shadow".into(), json!("environment"));
        s.data.insert("shadow".into(), json!("data"));
        s.local.insert("n".into(), json!(42));
        s.local.insert("nested".into(), json!("<{{g}}>"));
        s
    }

    /// Issue 11 part 1: scope precedence local > data > environment > collection > globals.
    #[test]
    fn narrowest_scope_wins_and_unknown_names_stay() {
        let mut r = Random::new();
        let s = scopes();
        assert_eq!(substitute("{{shadow}}", &s, &mut r), "data");
        assert_eq!(substitute("{{g}}/{{n}}/{{nope}}", &s, &mut r), "global/42/{{nope}}");
        assert_eq!(substitute("{{nested}}", &s, &mut r), "<global>");
        assert_eq!(substitute("{{{{g}}", &s, &mut r), "{{global");
    }

    /// Issue 11 part 1: dynamic variables.
    #[test]
    fn dynamic_variables_have_their_shapes() {
        let mut r = Random::new();
        let s = Scopes::default();
        let guid = substitute("{{$guid}}", &s, &mut r);
        assert!(uuid::Uuid::parse_str(&guid).is_ok(), "{guid}");
        let ts = substitute("{{$timestamp}}", &s, &mut r);
        assert!(ts.parse::<u64>().is_ok_and(|t| t > 1_600_000_000), "{ts}");
        let n = substitute("{{$randomInt}}", &s, &mut r);
        assert!(n.parse::<u32>().is_ok_and(|n| n <= 1000), "{n}");
        let email = substitute("{{$randomEmail}}", &s, &mut r);
        assert!(email.contains('@'), "{email}");
        let iso = substitute("{{$isoTimestamp}}", &s, &mut r);
        assert_eq!(iso.len(), 24, "{iso}");
        assert_eq!(substitute("{{$unknownThing}}", &s, &mut r), "{{$unknownThing}}");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_440_938_160), (2015, 8, 30, 12, 36, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
