//! The rule lexicon: the regexes and word lists that recognise wire
//! datelines, photo captions, reporter credits, bylines, URLs, site chrome,
//! comment sections and sign-offs. Compiled once; every pattern is one that
//! news sites share, never one site's text.

use regex::Regex;
use std::sync::LazyLock;

/// News agencies named in datelines and photo credits.
const AGENCY: &str = r"(?:AP|Reuters|REUTERS|AFP|CP|UPI|dpa|DPA|Xinhua|IANS|PTI|ANI|Bloomberg|AAP|PA|EFE|ANSA|Kyodo|Yonhap|TASS|NNA|Belga|APA|BNA|CNA|KUNA|WAM|Bernama|BERNAMA|HT|IPS|AP Photo|[A-Z][A-Za-z]+ News Service)";
/// Any agency-like name in a dateline after an upper-case place
/// (`KELSO (Valley Wire) —`): one to four capitalised words. Agencies are
/// many and local; the place before them is the evidence.
/// (Negated classes: a `\p{L}` class repeated here would multiply the
/// regex's compile cost, paid once per process.)
const ANY_AGENCY: &str = r"\p{Lu}[^()\s]*(?: [^()\s]+){0,3}";
/// A known agency, whole (an agency outside the list needs an upper-case
/// place before it: see `classify::lead_dateline`).
pub(super) static KNOWN_AGENCY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{AGENCY})$")).expect("BUG: agency regex"));
/// A month name or abbreviation, as in `Feb 26` or `Sept. 3`.
const MONTH_ABBR: &str = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?";

/// `KYIV, Ukraine (AP) —`, `LONDON, Jan 3 (Reuters) -`, `(Reuters) —`,
/// `SALVADOR, Feb 26 -`, `Scarborough, Ontario, Feb 26 -`, `WASHINGTON —`.
pub(super) static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    let capw = r"\p{Lu}[\p{L}\p{M}.'’-]*";
    let city_any = format!(r"{capw}(?: {capw}){{0,3}}");
    let city_uc = r"\p{Lu}[\p{Lu}\p{M}.'’-]*(?: [\p{Lu}\p{M}.'’-]+){0,3}";
    let region = format!(r"(?:,\s*{capw}(?: {capw}){{0,3}}){{0,2}}");
    // `Feb 26`, `Feb. 26, 2024` or `26 February`.
    let date =
        format!(r"(?:,?\s*(?:{MONTH_ABBR}\s*\d{{1,2}}|\d{{1,2}}\s+{MONTH_ABBR})(?:,\s*\d{{4}})?)?");
    let dash = r"(?:\s*(?:[-—–]+|:)\s*|\s*$)";
    Regex::new(&format!(
        r"^(?:(?:(?P<place>{city_any}{region}{date}\s*)?\((?P<agency>{AGENCY}|{ANY_AGENCY})\)){dash}|{city_any}{region},\s*{MONTH_ABBR}\s+\d{{1,2}}\s*[-—–]+\s+|(?P<bare>{city_uc}{region}\s*(?:[—–]|--|\s-\s)\s*))"
    ))
    .expect("BUG: dateline regex")
});

/// A trailing parenthesised photo credit (`(AP Photo/Jane Doe)`).
const PHOTO_CREDIT: &str = r"(?:\((?:[^()]*(?-u:\b)(?:via AP|AP Photo|AP|Photo|photo|Photos|Images|Image|Pool|Getty|AFP|EPA|Reuters|REUTERS|Bloomberg|Shutterstock|File|FILE|Handout|handout|Courtesy|courtesy)(?-u:\b)[^()]*)\)\s*\.?$)";

/// A unit that ends in a photo credit is a caption even when it opens
/// with a dateline (wire captions often do: `CITY (AP) — ... (AP Photo/X)`).
pub(super) static CAPTION_CREDIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PHOTO_CREDIT).expect("BUG: photo credit regex"));

/// A photo caption: a trailing parenthesised photo credit or a caption
/// lead-in.
pub(super) static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&[
        PHOTO_CREDIT,
        r"|(?:(?-u:\b)Photo(?:graph)?s?\s*(?:by|:|credit:?)\s*[^.]{1,80}$)",
        r"|(?:^(?i:photo|picture|image|pictured|above|top|left|right|main|caption|image credit|photo credit|credit)\s*:)",
        r"|(?:^(?:FILE|File)\s*[-—–]+\s)",
        r"|(?:^In (?:this|these|a) (?:\w+ )?(?:photo|photos|image|images|picture|file photo|handout photo|photograph)(?-u:\b))"
    ]
    .concat())
    .expect("BUG: caption regex")
});

/// Reporter credits: `... contributed to this report`, `Reporting by ...`.
pub(super) static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i:(?-u:\b)contributed(?: reporting)?(?: to)? (?:this|the) (?:report|story|article)(?-u:\b))",
        r"|(?i:^\(?(?:additional |further )?(?:reporting|writing|editing|compiled|research|graphics) by(?-u:\b))",
    ))
    .expect("BUG: credit regex")
});

/// `NAME reported from CITY.` (run only on units that say `reported`,
/// `wrote` or `filed`).
pub(super) static CREDIT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Lu}[\p{L}'’.-]+(?: \p{Lu}[\p{L}'’.-]+){0,3}(?:,? (?:and|&) \p{Lu}[\p{L}'’.-]+(?: \p{Lu}[\p{L}'’.-]+){0,3})* (?:reported|wrote|filed) (?:from|in) \p{Lu}[\p{L}\p{M}.,'’ -]*$")
        .expect("BUG: credit-from regex")
});

pub(super) static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:By|BY|by|Written by|Story by|Words by)\s*:?\s+\p{Lu}")
        .expect("BUG: byline regex")
});

pub(super) static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)https?://|(?-u:\b)www\.[a-z0-9-]+\.[a-z]|(?-u:\b)[a-z0-9-]+\.(?:com|org|net|co\.uk|com\.au)/\S")
        .expect("BUG: url regex")
});

/// Chrome phrases that no article sentence uses, for short units.
pub(super) static STRONG_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)skip to(?-u:\b)|(?-u:\b)all rights reserved(?-u:\b)|©|\(c\) ?\d{4}|(?-u:\b)copyright\s*(?:\(c\)|\d{4})|(?-u:\b)click here(?-u:\b)|(?-u:\b)sign (?:up|in|out)(?-u:\b)|(?-u:\b)log ?(?:in|out)(?-u:\b)|(?-u:\b)subscribe (?:now|today|to|for)(?-u:\b)|^subscribe$",
        r"|(?-u:\b)follow (?:us|\p{L}+['’]s coverage)(?-u:\b)|(?-u:\b)read (?:more|the full|full story)(?-u:\b)|(?-u:\b)share (?:this|on|via)(?-u:\b)|(?-u:\b)privacy (?:policy|statement|notice|settings)(?-u:\b)|(?-u:\b)cookies? (?:policy|settings|preferences)(?-u:\b)|(?-u:\b)terms (?:of|and|&)(?-u:\b)",
        r"|(?-u:\b)advertisement(?-u:\b)|(?-u:\b)advertise (?:with|on|here)(?-u:\b)|^advertise$|(?-u:\b)sponsored (?:content|links?|by|stories|posts?)(?-u:\b)|^sponsored$|(?-u:\b)back to top(?-u:\b)|(?-u:\b)story continues(?-u:\b)|(?-u:\b)continue reading(?-u:\b)|(?-u:\b)report abuse(?-u:\b)|(?-u:\b)register (?:now|today|here|for free)(?-u:\b)|^register$|(?-u:\b)e-?mail (?:this|article|story|to a friend)(?-u:\b)",
        r"|(?-u:\b)print (?:this|article|story)(?-u:\b)|(?-u:\b)most (?:popular|read|viewed|emailed|e-mailed|shared|commented)(?-u:\b)|(?-u:\b)you (?:may|might) (?:also )?like(?-u:\b)|(?-u:\b)related (?:articles?|stories|story|links|content|news|coverage|topics|posts|searches|videos)(?-u:\b)",
        r"|(?-u:\b)recommended (?:articles?|stories|for you|reading|videos)(?-u:\b)|(?-u:\b)more (?:stories|news|articles|headlines|videos) (?:from|on|about|in)(?-u:\b)|(?-u:\b)editor['’]?s picks(?-u:\b)|(?-u:\b)don['’]?t miss(?-u:\b)|(?-u:\b)top stories(?-u:\b)|(?-u:\b)latest (?:news|headlines|stories)(?-u:\b)",
        r"|(?-u:\b)posted (?:by|in|on)(?-u:\b)|(?-u:\b)filed under(?-u:\b)|(?-u:\b)tags?:|(?-u:\b)permalink(?-u:\b)|(?-u:\b)font size(?-u:\b)|(?-u:\b)text size(?-u:\b)|(?-u:\b)bookmark(?-u:\b)|(?-u:\b)digg(?-u:\b)|(?-u:\b)del\.icio\.us(?-u:\b)|(?-u:\b)stumbleupon(?-u:\b)|(?-u:\b)newsletters?(?-u:\b)|(?-u:\b)rss(?-u:\b)|(?-u:\b)javascript(?-u:\b)|(?-u:\b)whatsapp(?-u:\b)|(?-u:\b)pinterest(?-u:\b)"
    ))
    .expect("BUG: strong chrome regex")
});

/// Chrome phrases that mark even a long unit.
pub(super) static STRONG_LONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)©|(?-u:\b)all rights reserved(?-u:\b)|(?-u:\b)copyright \d{4}(?-u:\b)|\(c\) ?\d{4}|(?-u:\b)click here(?-u:\b)|(?-u:\b)sign up (?:for|to|now)(?-u:\b)|(?-u:\b)subscribe (?:to|now|today)(?-u:\b)|(?-u:\b)we use cookies(?-u:\b)|(?-u:\b)(?:our|the|site|website)\s+terms of (?:use|service)(?-u:\b)|(?-u:\b)privacy policy(?-u:\b)|(?-u:\b)enable javascript(?-u:\b)|(?-u:\b)may not be (?:published|reproduced|redistributed)(?-u:\b)|(?-u:\b)this material may not(?-u:\b)")
        .expect("BUG: long chrome regex")
});

/// Words that make up navigation, share bars and page furniture.
pub(super) const NAV_WORDS: &[&str] = &[
    "about",
    "advertise",
    "all",
    "app",
    "apps",
    "archive",
    "archives",
    "article",
    "articles",
    "audio",
    "back",
    "blog",
    "blogs",
    "breaking",
    "business",
    "careers",
    "classifieds",
    "close",
    "comment",
    "comments",
    "contact",
    "content",
    "more",
    "e-mail",
    "edition",
    "email",
    "entertainment",
    "facebook",
    "faq",
    "feature",
    "features",
    "feedback",
    "follow",
    "gallery",
    "galleries",
    "help",
    "home",
    "homepage",
    "image",
    "images",
    "index",
    "instagram",
    "jobs",
    "latest",
    "lifestyle",
    "linkedin",
    "listen",
    "live",
    "loading",
    "local",
    "login",
    "menu",
    "mobile",
    "news",
    "next",
    "of",
    "on",
    "opinion",
    "our",
    "photo",
    "photos",
    "podcast",
    "podcasts",
    "politics",
    "popular",
    "previous",
    "print",
    "recommend",
    "recommended",
    "related",
    "reply",
    "save",
    "search",
    "section",
    "sections",
    "share",
    "sitemap",
    "sport",
    "sports",
    "stories",
    "story",
    "subscribe",
    "tech",
    "technology",
    "the",
    "this",
    "to",
    "tools",
    "top",
    "travel",
    "trending",
    "tumblr",
    "twitter",
    "us",
    "video",
    "videos",
    "view",
    "watch",
    "weather",
    "world",
    "x",
    "youtube",
    "your",
    "and",
    "&",
    "now",
    "page",
    "sign",
    "in",
    "up",
    "out",
    "log",
];

/// Comment-section openers (`Comments (12)`, `Post a comment`, `Have your
/// say`, `Talkback`), for short units.
pub(super) static BARRIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\W*(?:\d+\s+)?(?:user |users['’] |reader |readers['’]? |latest |recent |your |article |top |view |show |all )?comments?(?-u:\b)",
        r"|(?-u:\b)comments?\s*(?:\(\d+\)|\[\d+\]|:)|(?-u:\b)\d+\s+comments?(?-u:\b)|(?-u:\b)comment\(s\)",
        r"|(?-u:\b)(?:post|add|leave|write|submit|read|view|show|make)\s+(?:a |an |your |all |new )?(?:\d+ )?(?:comments?|reply|response)(?-u:\b)",
        r"|(?-u:\b)comments? (?:on|about) (?:this|the) (?:story|article|post)(?-u:\b)|(?-u:\b)comments? (?:are )?(?:now )?closed(?-u:\b)|(?-u:\b)comment on this(?-u:\b)",
        r"|(?-u:\b)talk ?back(?-u:\b)|(?-u:\b)(?:have )?your say(?-u:\b)|(?-u:\b)your (?:views|opinion|thoughts) on(?-u:\b)|(?-u:\b)what (?:do )?you think(?-u:\b)|(?-u:\b)readers?['’]? (?:reaction|views|responses)(?-u:\b)",
        r"|(?-u:\b)discuss this(?-u:\b)|(?-u:\b)(?:one|\d+) (?:responses?|replies) to(?-u:\b)|(?-u:\b)post your own(?-u:\b)|(?-u:\b)join the (?:conversation|discussion|debate)(?-u:\b)"
    ))
    .expect("BUG: barrier regex")
});

/// `Posted by NAME ...`, `Submitted by ...`, `Comment by ...`.
pub(super) static META: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:posted|submitted|added|written|comment(?:ed)?|replied|sent)\s+(?:by|on|at)(?-u:\b)")
        .expect("BUG: meta regex")
});

/// Wire sign-off lines (`Reuter`, `-30-`, `###`) and agency-only lines.
pub(super) static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:\(?{AGENCY}\)?|Reuter|-+ ?30 ?-+|#+|\(?END\)?|\(?MORE\)?|xxx)\.?$"
    ))
    .expect("BUG: sign-off regex")
});

/// A wire sign-off glued to the last sentence (`... next year. Reuter`).
pub(super) static TRAILING_SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s+(?:Reuter|REUTER|Reuters|REUTERS)\.?$").expect("BUG: sign-off regex")
});

/// A sentence end inside a unit: `. ` then a capital or an opening quote,
/// after a word of three letters or more (not `Mr.`, `U.S.`).
pub(super) static INNER_STOP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\p{Ll}{3}[.!?]["”’)]?\s+[\p{Lu}“"‘]"#).expect("BUG: inner stop regex")
});

/// Upper-case labels that look like a dateline city before a dash
/// (`FILE - In this photo ...`, `UPDATE - ...`) but are not places.
pub(super) const KICKERS: &[&str] = &[
    "FILE",
    "UPDATE",
    "UPDATED",
    "BREAKING",
    "EXCLUSIVE",
    "WATCH",
    "VIDEO",
    "PHOTOS",
    "ANALYSIS",
    "OPINION",
    "EDITORIAL",
    "CORRECTION",
    "LIVE",
    "NOTE",
    "EDITOR'S",
    "EDITORS",
    "REVIEW",
    "Q&A",
];
