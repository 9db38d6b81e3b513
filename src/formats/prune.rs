//! What each element of the page is, judged from its tag and attributes
//! alone, and which subtrees are not article text at all.
//!
//! Two kinds of exclusion:
//!
//! * hard: markup that is never visible text (`script`, `style`, forms'
//!   controls, `hidden`, `display:none`, ARIA-hidden);
//! * soft: page furniture recognised by tag (`nav`, `aside`, `footer`), ARIA
//!   role, or a class/id word (`share`, `related`, `comments`, `newsletter`,
//!   ...), and `<article>`s nested in an `<article>` (teasers of other
//!   stories). A soft exclusion is vetoed when the subtree holds a large share
//!   of the page's text (a site that names its whole content column
//!   `main-sidebar-layout` must not lose its article), or an article-body
//!   marker.

use super::dom::{Dom, Kind, words};

/// Flag bits per node.
pub(crate) mod flag {
    /// Excluded with its subtree.
    pub(crate) const DROP: u16 = 1;
    /// Marked as the article body (`itemprop=articleBody`, `article-body`).
    pub(crate) const BODY: u16 = 2;
    /// Class/id words that readability-style scoring rewards.
    pub(crate) const POSITIVE: u16 = 4;
    /// Class/id words that readability-style scoring penalises.
    pub(crate) const NEGATIVE: u16 = 8;
    /// A caption container (`figcaption`, `class=caption`).
    pub(crate) const CAPTION: u16 = 16;
    /// A byline / author container.
    pub(crate) const BYLINE: u16 = 32;
    /// Page furniture by class/id, tag or role (a soft-drop candidate).
    pub(crate) const FURNITURE: u16 = 64;
    /// A comment section (dropped unless it holds the headline or body).
    pub(crate) const COMMENTS: u16 = 128;
    /// A publication time (`<time>`, `class=date`).
    pub(crate) const TIME: u16 = 256;
    /// A wire dateline element (`class=dateline`).
    pub(crate) const DATELINE: u16 = 512;
}

/// Tags whose content is never article text.
const HARD_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "select", "option", "button", "input", "textarea", "head", "title",
    "meta", "link", "dialog", "map", "datalist", "frameset", "frame",
];

/// Tags that are page furniture unless vetoed.
const FURNITURE_TAGS: &[&str] = &["nav", "aside", "footer", "menu"];

/// ARIA roles of page furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
    "toolbar",
    "tablist",
];

/// Class/id words of page furniture.
const FURNITURE_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menubar",
    "footer",
    "sidebar",
    "breadcrumb",
    "breadcrumbs",
    "share",
    "sharing",
    "sharetools",
    "social",
    "socials",
    "related",
    "recommended",
    "recommendations",
    "recirc",
    "recirculation",
    "promo",
    "promos",
    "advert",
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "adunit",
    "adslot",
    "dfp",
    "sponsor",
    "sponsored",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "comment",
    "comments",
    "disqus",
    "popup",
    "modal",
    "cookie",
    "cookies",
    "gdpr",
    "consent",
    "masthead",
    "toolbar",
    "tags",
    "pagination",
    "pager",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "widget",
    "widgets",
    "rail",
    "login",
    "skip",
    "overlay",
    "lightbox",
    "donate",
    "tools",
    "utility",
    "carousel",
    "slideshow",
    "jumplink",
    "jumplinks",
    "toc",
    "banner",
    "gallery",
];

/// Furniture roots also found inside run-together class words
/// (`relatedpoststitle`, `sharebar`, `sidebarwidget`).
const FURNITURE_ROOTS: &[&str] = &[
    "related",
    "share",
    "social",
    "sidebar",
    "newsletter",
    "advert",
    "sponsor",
    "breadcrumb",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
];

/// Furniture words dropped whatever their size: comment sections are often
/// longer than the article they follow.
const COMMENT_WORDS: &[&str] = &[
    "comment",
    "comments",
    "commentlist",
    "disqus",
    "respond",
    "replies",
    "discussion",
];

/// Class/id words of a publication-time element.
const TIME_WORDS: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "published",
    "pubdate",
    "posted",
    "updated",
    "datetime",
];

/// Class/id words that mark the article body on their own.
const BODY_WORDS: &[&str] = &[
    "articlebody",
    "storybody",
    "articletext",
    "storytext",
    "bodytext",
    "entrycontent",
    "postcontent",
    "articlecontent",
    "storycontent",
    "postbody",
];

/// The first word of a two-word article-body marker (`article-body`).
const BODY_FIRST: &[&str] = &["article", "story", "entry", "post", "news", "body", "blog"];
/// The second word of a two-word article-body marker.
const BODY_SECOND: &[&str] = &["body", "content", "text", "copy", "entry"];

const POSITIVE_WORDS: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "main", "page", "post", "text", "blog",
    "story",
];
const NEGATIVE_WORDS: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "contact",
    "foot",
    "footer",
    "footnote",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "ad",
    "ads",
];

/// A soft exclusion is vetoed when the subtree holds more than this share
/// of the page's visible text.
const VETO_SHARE: f64 = 0.4;

/// Flags for every node of `dom`.
pub(crate) fn flags(dom: &Dom<'_>) -> Vec<u16> {
    let n = dom.len();
    let mut f = vec![0u16; n];
    let mut w = Vec::new();
    for (i, fi) in f.iter_mut().enumerate() {
        let Some(e) = dom.element(i) else { continue };
        let tag = e.name();
        if HARD_TAGS.contains(&tag) || hidden(dom, i) {
            *fi |= flag::DROP;
            continue;
        }
        if matches!(tag, "html" | "body") {
            // Sites put feature switches in the body's classes
            // (`f_caption_muted_videos_on`): never a role.
            continue;
        }
        w.clear();
        if let Some(c) = dom.attr(i, "class") {
            words(c, &mut w);
        }
        if let Some(id) = dom.attr(i, "id") {
            words(id, &mut w);
        }
        let prop = dom.attr(i, "itemprop").or_else(|| dom.attr(i, "name"));
        if prop.is_some_and(|p| p.eq_ignore_ascii_case("articleBody"))
            || BODY_WORDS.iter().any(|b| w.iter().any(|x| x == b))
            || w.windows(2).any(|p| {
                BODY_FIRST.contains(&p[0].as_str()) && BODY_SECOND.contains(&p[1].as_str())
            })
        {
            *fi |= flag::BODY;
        }
        if tag == "figcaption"
            || w.iter()
                .any(|x| x.contains("caption") || x.contains("cutline") || x.contains("credit"))
        {
            *fi |= flag::CAPTION;
        }
        if dom
            .attr(i, "rel")
            .is_some_and(|r| r.eq_ignore_ascii_case("author"))
            || dom
                .attr(i, "itemprop")
                .is_some_and(|r| r.eq_ignore_ascii_case("author"))
            || w.iter().any(|x| {
                x.contains("byline") || x.contains("author") || x == "byl" || x == "reporter"
            })
        {
            *fi |= flag::BYLINE;
        }
        if w.iter().any(|x| x.contains("dateline")) {
            *fi |= flag::DATELINE;
        } else if tag == "time" || w.iter().any(|x| TIME_WORDS.contains(&x.as_str())) {
            *fi |= flag::TIME;
        }
        if w.iter().any(|x| POSITIVE_WORDS.contains(&x.as_str())) {
            *fi |= flag::POSITIVE;
        }
        if w.iter().any(|x| NEGATIVE_WORDS.contains(&x.as_str())) {
            *fi |= flag::NEGATIVE;
        }
        if w.iter().any(|x| COMMENT_WORDS.contains(&x.as_str())) && *fi & flag::BODY == 0 {
            *fi |= flag::COMMENTS;
        }
        let role = dom.attr(i, "role").unwrap_or("");
        let furniture_word = w.iter().any(|x| {
            FURNITURE_WORDS.contains(&x.as_str())
                || FURNITURE_ROOTS
                    .iter()
                    .any(|r| x.len() > r.len() && x.starts_with(r))
        });
        if FURNITURE_TAGS.contains(&tag)
            || FURNITURE_ROLES.iter().any(|r| r.eq_ignore_ascii_case(role))
            || (furniture_word && *fi & flag::BODY == 0)
            || (tag == "article" && in_article(dom, i))
        {
            *fi |= flag::FURNITURE;
        }
    }
    soft_drop(dom, &mut f);
    f
}

/// Whether an ancestor of `i` is an `<article>`: an article inside an
/// article is a teaser of another story (unless it holds the headline,
/// see [`soft_drop`]).
fn in_article(dom: &Dom<'_>, mut i: usize) -> bool {
    while let Some(p) = dom.parent(i) {
        if dom.tag(p) == "article" {
            return true;
        }
        i = p;
    }
    false
}

/// Whether the element at `i` is hidden by attribute or inline style.
fn hidden(dom: &Dom<'_>, i: usize) -> bool {
    if dom.attr(i, "hidden").is_some()
        || dom
            .attr(i, "aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return true;
    }
    dom.attr(i, "style").is_some_and(|s| {
        let s: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        s.contains("display:none") || s.contains("visibility:hidden")
    })
}

/// Visible text characters per subtree, hard drops excluded.
pub(crate) fn text_sizes(dom: &Dom<'_>, f: &[u16]) -> Vec<usize> {
    let n = dom.len();
    let mut size = vec![0usize; n];
    for i in (0..n).rev() {
        if f[i] & flag::DROP != 0 {
            size[i] = 0;
            continue;
        }
        if let Kind::Text(t) = dom.nodes[i].kind {
            size[i] += t
                .split_whitespace()
                .map(|w| w.chars().count() + 1)
                .sum::<usize>();
        }
        if let Some(p) = dom.parent(i) {
            size[p] += size[i];
        }
    }
    size
}

/// Caption and byline elements are short: a class word on a container
/// holding more text than this names a layout, not a role.
const MAX_CAPTION: usize = 600;
const MAX_BYLINE: usize = 300;
const MAX_TIME: usize = 120;

/// Turns furniture into drops unless vetoed (see the module docs), and
/// clears caption/byline flags on elements too long to be one.
fn soft_drop(dom: &Dom<'_>, f: &mut [u16]) {
    let size = text_sizes(dom, f);
    for (i, fi) in f.iter_mut().enumerate() {
        if size[i] > MAX_CAPTION && dom.tag(i) != "figcaption" {
            *fi &= !flag::CAPTION;
        }
        if size[i] > MAX_BYLINE {
            *fi &= !flag::BYLINE;
        }
        if size[i] > MAX_TIME {
            *fi &= !(flag::TIME | flag::DATELINE);
        }
    }
    let total = size.first().copied().unwrap_or(0).max(1);
    // Body markers and the headline veto the drop of their ancestors.
    let mut holds_body = vec![false; dom.len()];
    for i in (0..dom.len()).rev() {
        if (f[i] & flag::BODY != 0 && size[i] >= 200) || dom.tag(i) == "h1" {
            holds_body[i] = true;
        }
        if holds_body[i]
            && let Some(p) = dom.parent(i)
        {
            holds_body[p] = true;
        }
    }
    for i in 0..dom.len() {
        if f[i] & flag::COMMENTS != 0 && !holds_body[i] {
            f[i] |= flag::DROP;
            continue;
        }
        if f[i] & flag::FURNITURE == 0 || f[i] & flag::DROP != 0 {
            continue;
        }
        // Share of a character count: precision loss is irrelevant here.
        #[allow(clippy::cast_precision_loss)]
        let share = size[i] as f64 / total as f64;
        if share <= VETO_SHARE && !holds_body[i] {
            f[i] |= flag::DROP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn flags_of(html: &str, tag: &str) -> u16 {
        let doc = Html::parse_document(html);
        let dom = Dom::new(&doc);
        let f = flags(&dom);
        let i = dom.elements_named(tag).next().expect("tag");
        f[i]
    }

    #[test]
    fn furniture_is_dropped_but_a_big_body_is_not() {
        let body = "word ".repeat(400);
        let f = flags_of(
            &format!("<div><p>{body}</p></div><section class='share-tools'>Share</section>"),
            "section",
        );
        assert_ne!(f & flag::DROP, 0);
        let f = flags_of(
            &format!("<section class='sidebar-layout'><p>{body}</p></section><p>x</p>"),
            "section",
        );
        assert_eq!(f & flag::DROP, 0, "holds most of the text");
        let f = flags_of("<div style='display: none'>x</div>", "div");
        assert_ne!(f & flag::DROP, 0);
    }

    #[test]
    fn body_markers() {
        assert_ne!(
            flags_of("<div class='c-article__body'>x</div>", "div") & flag::BODY,
            0
        );
        assert_ne!(
            flags_of("<section itemprop='articleBody'>x</section>", "section") & flag::BODY,
            0
        );
        assert_eq!(
            flags_of("<div class='bodywrap'>x</div>", "div") & flag::BODY,
            0
        );
    }
}
