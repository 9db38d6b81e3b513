//! Main-content extraction: which part of the page is the article.
//!
//! 1. Page furniture is excluded ([`prune`](super::prune)) and the page is
//!    cut into text blocks ([`segment`](super::segment)).
//! 2. Two candidates for the article container:
//!    * markup: elements the site itself marks as the body
//!      (`itemprop=articleBody`, `article-body`, `entry-content`, ...);
//!    * scoring, as Readability does: every paragraph of 25+ characters
//!      gives its parent `1 + commas + min(chars/100, 3)` (less to further
//!      ancestors), class words add or subtract 25, the total is scaled by
//!      `1 - link density`; the best element is then widened to a parent
//!      that scores higher, and to siblings that score at least a fifth of
//!      it or are plain paragraphs.
//!
//!    The markup wins when it holds at least half the scored container's
//!    text or contains its best element: sites know their own layout
//!    better than a score does, but a mislabelled teaser must not win.
//! 3. Inside the container, link-dense blocks (related links, tag lists)
//!    are dropped. The blocks between the headline and the body (byline,
//!    time, lead-photo caption), time and byline elements just above the
//!    headline, and caption/byline/time elements right after the body are
//!    kept apart as the article's head and tail.

use super::dom::Dom;
use super::prune::{self, flag};
use super::segment::{self, Hint, XBlock};
use crate::normalize::match_key;

/// The extracted article, before normalization.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extraction {
    /// The headline as shown on the page (the matching `h1`).
    pub(crate) headline: Option<String>,
    /// Short blocks between the headline and the body.
    pub(crate) head: Vec<XBlock>,
    /// The body blocks in page order.
    pub(crate) body: Vec<XBlock>,
    /// Caption, byline and time blocks right after the body.
    pub(crate) tail: Vec<XBlock>,
    /// The site marked the container as the article body
    /// (`itemprop=articleBody`, `article-body`, ...), rather than scoring
    /// finding it: such a container is precise.
    pub(crate) marked: bool,
}

/// Blocks above this link density are navigation, not text.
const MAX_LINK_DENSITY: f64 = 0.5;
/// The most blocks kept between headline and body.
const MAX_HEAD: usize = 12;
/// The most time/byline blocks taken from above the headline.
const MAX_ABOVE: usize = 3;
/// The most blocks looked at after the body.
const MAX_TAIL: usize = 6;

/// Extracts the article of `dom`. `title` (from the page's metadata) picks
/// the headline among several `h1`s.
pub(crate) fn extract(dom: &Dom<'_>, title: Option<&str>) -> Extraction {
    let f = prune::flags(dom);
    let root = dom.elements_named("body").next().unwrap_or(0);
    let all = segment::blocks(dom, &f, root);
    let stats = Stats::new(dom, &f);
    let (containers, marked) = choose(dom, &f, &stats, &all);
    let inside = |b: &XBlock| containers.iter().any(|&c| dom.contains(c, b.first));
    let headline_at = headline(&all, title);
    let headline = headline_at.map(|h| all[h].text.replace('\n', " "));
    let mut body = Vec::new();
    let mut first_body = None;
    for (k, b) in all.iter().enumerate() {
        if Some(k) == headline_at || !inside(b) || !keep(b, marked) {
            continue;
        }
        first_body.get_or_insert(k);
        body.push(b.clone());
    }
    let hinted = |b: &&XBlock| {
        b.hint != Hint::Text && keep(b, false) && b.text.split_whitespace().count() <= 40
    };
    let mut head: Vec<XBlock> = Vec::new();
    if let (Some(h), Some(s)) = (headline_at, first_body)
        && h < s
    {
        // Time or byline lines just above the headline belong to it.
        let above = all[h.saturating_sub(MAX_ABOVE)..h]
            .iter()
            .rev()
            .take_while(|b| hinted(b))
            .count();
        head.extend(all[h - above..h].iter().cloned());
        let below: Vec<&XBlock> = all[h + 1..s]
            .iter()
            .filter(|b| keep(b, false) && b.text.split_whitespace().count() <= 40)
            .collect();
        head.extend(
            below[below.len().saturating_sub(MAX_HEAD)..]
                .iter()
                .map(|b| (*b).clone()),
        );
    }
    // Credits, captions and times right after the body (`AP Photo/...`,
    // `Reach the writer at ...`).
    let last_body = all.iter().rposition(|b| inside(b) && keep(b, marked));
    let tail: Vec<XBlock> = last_body.map_or_else(Vec::new, |z| {
        all[z + 1..]
            .iter()
            .take(MAX_TAIL)
            .take_while(|b| hinted(b))
            .cloned()
            .collect()
    });
    Extraction {
        headline,
        head,
        body,
        tail,
        marked,
    }
}

/// Whether a block inside the container is text rather than link lists.
/// In a container the site marked as its body, a long block is text even
/// when most of it is links (news round-ups link every sentence).
fn keep(b: &XBlock, marked: bool) -> bool {
    let ld = b.link_density();
    if !b.text.chars().any(char::is_alphanumeric) {
        return false;
    }
    if marked && b.chars >= 80 {
        return ld <= 0.9;
    }
    ld <= MAX_LINK_DENSITY && !(b.in_list && ld > 0.3 && !says_more(b))
}

/// A list item that says more than its link: a linked lead-in followed by
/// a sentence of its own (`<li><a>Firm X cuts jobs</a>. The cuts ...</li>`,
/// a digest of stories). Navigation and related-story lists are links
/// alone, or a link and a date. Half of it may still be links at most.
fn says_more(b: &XBlock) -> bool {
    b.chars.saturating_sub(b.link) >= OWN_TEXT && b.text.trim_end().ends_with(['.', '!', '?'])
}

/// The visible (non-space) characters outside links that make a list item
/// a statement.
const OWN_TEXT: usize = 50;

/// The headline block: the heading whose match key equals the title's (or
/// contains it, or is contained in it), else the first `h1`.
fn headline(all: &[XBlock], title: Option<&str>) -> Option<usize> {
    let is_heading = |b: &XBlock| matches!(b.hint, Hint::Heading(_));
    if let Some(t) = title.map(match_key).filter(|k| !k.is_empty()) {
        let found = all.iter().position(|b| {
            let k = match_key(&b.text);
            is_heading(b)
                && !k.is_empty()
                && (k == t || (k.len() >= 20 && (t.contains(&k) || k.contains(&t))))
        });
        if found.is_some() {
            return found;
        }
    }
    all.iter().position(|b| b.hint == Hint::Heading(1))
}

/// Per-node text size, link text size, and whether the node is inside an
/// excluded subtree.
struct Stats {
    chars: Vec<usize>,
    link: Vec<usize>,
    dropped: Vec<bool>,
}

impl Stats {
    fn new(dom: &Dom<'_>, f: &[u16]) -> Stats {
        let n = dom.len();
        let mut dropped = vec![false; n];
        let mut in_link = vec![false; n];
        for i in 0..n {
            let p = dom.parent(i);
            dropped[i] = f[i] & flag::DROP != 0 || p.is_some_and(|p| dropped[p]);
            in_link[i] = dom.tag(i) == "a" || p.is_some_and(|p| in_link[p]);
        }
        let mut chars = prune::text_sizes(dom, f);
        let mut link = vec![0usize; n];
        for i in (0..n).rev() {
            if dropped[i] {
                chars[i] = 0;
                link[i] = 0;
                continue;
            }
            if in_link[i] && matches!(dom.nodes[i].kind, super::dom::Kind::Text(_)) {
                link[i] += chars[i];
            }
            if let Some(p) = dom.parent(i) {
                link[p] += link[i];
            }
        }
        Stats {
            chars,
            link,
            dropped,
        }
    }

    fn link_density(&self, i: usize) -> f64 {
        // Ratio of character counts: precision loss is irrelevant here.
        #[allow(clippy::cast_precision_loss)]
        let d = self.link[i] as f64 / self.chars[i].max(1) as f64;
        d
    }
}

/// The container elements of the article (one or several siblings).
/// Whether the site marked them (`true`) or scoring found them.
fn choose(dom: &Dom<'_>, f: &[u16], st: &Stats, all: &[XBlock]) -> (Vec<usize>, bool) {
    let (scored, top) = readability(dom, f, st, all);
    let (marked, whole) = marked(dom, f, st);
    let size = |v: &[usize]| v.iter().map(|&i| st.chars[i]).sum::<usize>();
    if !marked.is_empty() {
        let contains_top = top.is_some_and(|t| marked.iter().any(|&m| dom.contains(m, t)));
        if contains_top || size(&marked) * 2 >= size(&scored) {
            return (marked, whole);
        }
    }
    if scored.is_empty() {
        return (vec![dom.elements_named("body").next().unwrap_or(0)], false);
    }
    (scored, false)
}

/// Elements the site marks as the article body: the outermost marked
/// elements, each narrowed to its innermost marked descendant that still
/// holds 80% of its text; those holding at least a quarter of the largest.
/// A marker on a paragraph (`<p class="bodytext">`) marks a paragraph of
/// the body, not the body: its parent is the container, but not one the
/// site marked whole (it may hold chrome after the last paragraph), so the
/// second value is `false` then.
fn marked(dom: &Dom<'_>, f: &[u16], st: &Stats) -> (Vec<usize>, bool) {
    let mut lifted = Vec::new();
    let mut cands: Vec<usize> = (0..dom.len())
        .filter(|&i| f[i] & flag::BODY != 0 && !st.dropped[i])
        .map(|i| match dom.parent(i) {
            Some(p) if dom.tag(i) == "p" && !st.dropped[p] => {
                if f[p] & flag::BODY == 0 {
                    lifted.push(p);
                }
                p
            }
            _ => i,
        })
        .filter(|&i| st.chars[i] >= 200)
        .collect();
    cands.sort_unstable();
    cands.dedup();
    let mut reps: Vec<usize> = Vec::new();
    for &c in &cands {
        if reps.iter().any(|&r| dom.contains(r, c))
            || cands.iter().any(|&o| o != c && dom.contains(o, c))
        {
            continue;
        }
        let mut best = c;
        for &d in &cands {
            if d != c
                && dom.contains(c, d)
                && st.chars[d] * 5 >= st.chars[c] * 4
                && dom.contains(best, d)
            {
                best = d;
            }
        }
        reps.push(best);
    }
    let largest = reps.iter().map(|&r| st.chars[r]).max().unwrap_or(0);
    reps.retain(|&r| st.chars[r] * 4 >= largest && st.link_density(r) < 0.3);
    let whole = !reps.iter().any(|r| lifted.contains(r));
    (reps, whole)
}

fn tag_weight(tag: &str) -> f64 {
    match tag {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn class_weight(f: u16) -> f64 {
    let mut w = 0.0;
    if f & flag::POSITIVE != 0 {
        w += 25.0;
    }
    if f & flag::NEGATIVE != 0 {
        w -= 25.0;
    }
    w
}

/// Readability's container: the selected elements, and the best one.
fn readability(
    dom: &Dom<'_>,
    f: &[u16],
    st: &Stats,
    all: &[XBlock],
) -> (Vec<usize>, Option<usize>) {
    let n = dom.len();
    let mut score = vec![f64::NAN; n];
    for b in all {
        if b.chars < 25 || b.in_list || !matches!(b.hint, Hint::Text) {
            continue;
        }
        // Small integer counts: precision loss is irrelevant here.
        #[allow(clippy::cast_precision_loss)]
        let s = 1.0
            + b.text.matches([',', '，', '、']).count() as f64
            + (b.chars as f64 / 100.0).min(3.0);
        let mut a = dom.parent(b.owner);
        let mut level = 0u32;
        if dom.tag(b.owner) == "div" || dom.tag(b.owner) == "td" {
            a = Some(b.owner);
        }
        while let Some(p) = a {
            if level >= 5 {
                break;
            }
            if score[p].is_nan() {
                score[p] = tag_weight(dom.tag(p)) + class_weight(f[p]);
            }
            score[p] += match level {
                0 => s,
                1 => s / 2.0,
                l => s / (f64::from(l) * 3.0),
            };
            a = dom.parent(p);
            level += 1;
        }
    }
    let fin = |i: usize| {
        if score[i].is_nan() {
            f64::NAN
        } else {
            score[i] * (1.0 - st.link_density(i))
        }
    };
    let mut top: Option<usize> = None;
    for i in 0..n {
        let s = fin(i);
        if !s.is_nan() && !st.dropped[i] && top.is_none_or(|t| s > fin(t)) {
            top = Some(i);
        }
    }
    let Some(mut t) = top else {
        return (Vec::new(), None);
    };
    // Widen to a parent that scores higher (the content is split in parts).
    let mut last = fin(t);
    let mut p = dom.parent(t);
    while let Some(q) = p {
        if matches!(dom.tag(q), "body" | "html") {
            break;
        }
        let s = fin(q);
        if s.is_nan() {
            p = dom.parent(q);
            continue;
        }
        if s < last / 3.0 {
            break;
        }
        if s > last {
            t = q;
            break;
        }
        last = s;
        p = dom.parent(q);
    }
    // A lone child stands for its parent.
    let mut kids = vec![0u32; n];
    for c in 0..n {
        if dom.element(c).is_some()
            && let Some(p) = dom.parent(c)
        {
            kids[p] = kids[p].saturating_add(1);
        }
    }
    while let Some(q) = dom.parent(t) {
        if matches!(dom.tag(q), "body" | "html") || kids[q] != 1 {
            break;
        }
        t = q;
    }
    let threshold = (fin(t) * 0.2).max(10.0);
    let mut out = vec![t];
    if let Some(q) = dom.parent(t) {
        let mut c = q + 1;
        while c < dom.nodes[q].end {
            let next = dom.nodes[c].end;
            if c != t
                && !st.dropped[c]
                && dom.element(c).is_some()
                && sibling_ok(dom, st, c, fin(c), threshold)
            {
                out.push(c);
            }
            c = next;
        }
    }
    out.sort_unstable();
    (out, Some(t))
}

fn sibling_ok(dom: &Dom<'_>, st: &Stats, c: usize, score: f64, threshold: f64) -> bool {
    if !score.is_nan() && score >= threshold {
        return true;
    }
    if dom.tag(c) != "p" {
        return false;
    }
    let ld = st.link_density(c);
    let len = st.chars[c];
    (len > 80 && ld < 0.25) || (len > 0 && ld == 0.0 && dom.text(c).trim_end().ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn body(html: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        let dom = Dom::new(&doc);
        extract(&dom, None)
            .body
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    #[test]
    fn scored_container_beats_navigation() {
        let para = "The council said on Monday that the bridge, closed since spring, would reopen, and that repairs had cost more than planned.";
        let html = format!(
            "<body><ul class='menu'><li><a href=/>Home</a></li><li><a href=/n>News</a></li></ul>\
             <div id='main'><h1>Bridge reopens</h1><p>{para}</p><p>{para} Again.</p><p>Short end.</p>\
             <ul class='related'><li><a href=/x>Another story that is linked</a></li></ul></div>\
             <div class='footer'><p>Copyright text here</p></div></body>"
        );
        let b = body(&html);
        assert_eq!(b.len(), 3, "{b:?}");
        assert_eq!(b[2], "Short end.");
    }

    #[test]
    fn list_items_that_say_more_than_their_link_are_text() {
        let para = "The council said on Monday that the bridge, closed since spring, would reopen, and that repairs had cost more than planned.";
        let html = format!(
            "<body><div id='main'><h1>Morning digest</h1><p>{para}</p><p>{para} Again.</p><ol>\
             <li><a href=/a>Harbour bridge reopens to traffic</a>. The deck was replaced, the arches were repainted and the lamps were renewed.</li>\
             <li><a href=/b>Ferry crossing resumes next week</a>. Two boats a day will run until the spring, and a third at weekends in summer.</li>\
             </ol><p>{para} Three.</p>\
             <ul><li><a href=/x>Another story that is linked here</a></li>\
             <li><a href=/y>And one more linked story</a> 3 hours ago</li></ul></div></body>"
        );
        let b = body(&html);
        assert!(b.iter().any(|t| t.starts_with("Harbour bridge")), "{b:?}");
        assert!(b.iter().any(|t| t.starts_with("Ferry crossing")), "{b:?}");
        assert!(!b.iter().any(|t| t.contains("linked")), "{b:?}");
    }

    #[test]
    fn a_marker_on_paragraphs_marks_their_parent() {
        // The site marks each paragraph (`p.bodytext`), long and short; the
        // short ones are article text too.
        let long = "The ferry company said on Tuesday that the crossing, suspended since the storm in March, would resume next week, with two boats a day, and that the harbour, the ticket office and the car park had all been repaired.";
        let html = format!(
            "<body><div class='menu'><a href=/>Home</a> <a href=/n>News</a></div>\
             <div class='col'><h1>Ferry returns</h1>\
             <p class='bodytext'>{long}</p><p class='bodytext'>Tickets go on sale today.</p>\
             <p class='bodytext'>{long} Again.</p><p class='bodytext'>The mayor welcomed it.</p>\
             <p class='bodytext'>{long} Once more.</p></div></body>"
        );
        let b = body(&html);
        assert_eq!(b.len(), 5, "{b:?}");
        assert_eq!(b[1], "Tickets go on sale today.");
        assert_eq!(b[3], "The mayor welcomed it.");
    }

    #[test]
    fn marked_body_wins_and_headline_is_split_off() {
        let para = "A sentence that is long enough to count as a paragraph of running text, with commas, too.";
        let html = format!(
            "<article><h1>Title here</h1><p class='byline'>By A. Writer</p>\
             <div itemprop='articleBody'><p>{para}</p><p>{para} Two.</p><p>{para} Three.</p></div></article>"
        );
        let doc = Html::parse_document(&html);
        let dom = Dom::new(&doc);
        let x = extract(&dom, Some("Title here | Site"));
        assert_eq!(x.headline.as_deref(), Some("Title here"));
        assert_eq!(x.head.len(), 1);
        assert_eq!(x.head[0].hint, Hint::Byline);
        assert_eq!(x.body.len(), 3);
    }
}
