//! Cuts a page (or a subtree) into text blocks the way a browser lays it
//! out: a block-level element starts and ends a block, inline elements
//! (`a`, `span`, `em`, ...) flow into the current one, `<br>` is a line
//! break and two of them a paragraph break. Excluded subtrees are skipped.
//!
//! The walk is a loop over the pre-order arena with a stack of open
//! elements, never recursion.

use super::dom::{Dom, Kind, push_collapsed};
use super::prune::flag;

/// Block-level elements: each starts a new text block.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Whether `tag` starts a block.
pub(crate) fn is_block(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

/// What the markup says a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Running text (`p`, `div`, `li`, `td`, ...).
    Text,
    /// A heading (`h1`-`h6`); the level.
    Heading(u8),
    /// Inside a `figcaption` or a caption class.
    Caption,
    /// Inside a byline / author element.
    Byline,
    /// Inside a wire dateline element.
    Dateline,
    /// Inside a publication-time element.
    Time,
}

/// One block of text.
#[derive(Debug, Clone)]
pub(crate) struct XBlock {
    /// Lines joined with `\n` (one per `<br>`), a blank line for `<br><br>`;
    /// whitespace inside a line collapsed.
    pub(crate) text: String,
    pub(crate) hint: Hint,
    /// The nearest block-level element holding the text.
    pub(crate) owner: usize,
    /// The first text node of the block (document position).
    pub(crate) first: usize,
    /// Visible characters, and those inside links.
    pub(crate) chars: usize,
    pub(crate) link: usize,
    /// Inside a list item.
    pub(crate) in_list: bool,
}

impl XBlock {
    /// Share of the text inside links.
    pub(crate) fn link_density(&self) -> f64 {
        // Ratio of character counts: precision loss is irrelevant here.
        #[allow(clippy::cast_precision_loss)]
        let d = self.link as f64 / self.chars.max(1) as f64;
        d
    }
}

struct Open {
    end: usize,
    idx: usize,
    block: bool,
    /// The nearest block element, this one or an ancestor (kept here so
    /// that finding it never scans the stack: deep nesting stays linear).
    owner: usize,
    link: bool,
    caption: bool,
    byline: bool,
    list: bool,
    /// `flag::TIME | flag::DATELINE` bits inherited from ancestors.
    meta: u16,
    /// Inside a `figcaption`: one caption, whatever blocks it is made of.
    figcap: bool,
}

#[derive(Default)]
struct Buf {
    text: String,
    first: Option<usize>,
    chars: usize,
    link: usize,
}

/// The blocks of the subtree at `root`, in document order.
pub(crate) fn blocks(dom: &Dom<'_>, flags: &[u16], root: usize) -> Vec<XBlock> {
    let mut out = Vec::new();
    let Some(r) = dom.nodes.get(root) else {
        return out;
    };
    let mut stack: Vec<Open> = Vec::with_capacity(64);
    let mut buf = Buf::default();
    let mut i = root;
    while i < r.end {
        while stack.last().is_some_and(|o| o.end <= i) {
            if let Some(o) = stack.pop()
                && o.block
            {
                flush(&mut buf, o.idx, &o, dom, &mut out);
            }
        }
        let node = dom.nodes[i];
        match node.kind {
            Kind::Element(e) => {
                if flags[i] & flag::DROP != 0 {
                    i = node.end;
                    continue;
                }
                let tag = e.name();
                if tag == "br" {
                    buf.text.push('\n');
                } else if tag == "img" || tag == "hr" || tag == "wbr" {
                    // Void elements: nothing to open.
                } else {
                    let in_figcap = stack.last().is_some_and(|o| o.figcap);
                    let block = is_block(tag) && !in_figcap;
                    if in_figcap
                        && is_block(tag)
                        && !buf.text.ends_with([' ', '\n'])
                        && !buf.text.is_empty()
                    {
                        buf.text.push(' ');
                    }
                    if block {
                        let owner = stack.last().map_or(root, |o| o.owner);
                        let top = stack.last();
                        let ctx = Open {
                            end: 0,
                            idx: owner,
                            block: true,
                            owner,
                            link: false,
                            caption: top.is_some_and(|o| o.caption),
                            byline: top.is_some_and(|o| o.byline),
                            list: top.is_some_and(|o| o.list),
                            meta: top.map_or(0, |o| o.meta),
                            figcap: false,
                        };
                        flush(&mut buf, owner, &ctx, dom, &mut out);
                    }
                    let top = stack.last();
                    stack.push(Open {
                        end: node.end,
                        idx: i,
                        block,
                        owner: if block {
                            i
                        } else {
                            top.map_or(root, |o| o.owner)
                        },
                        link: tag == "a" || top.is_some_and(|o| o.link),
                        caption: flags[i] & flag::CAPTION != 0 || top.is_some_and(|o| o.caption),
                        byline: flags[i] & flag::BYLINE != 0 || top.is_some_and(|o| o.byline),
                        list: tag == "li" || top.is_some_and(|o| o.list),
                        meta: (flags[i] & (flag::TIME | flag::DATELINE))
                            | top.map_or(0, |o| o.meta),
                        figcap: tag == "figcaption" || in_figcap,
                    });
                }
            }
            Kind::Text(t) => {
                let in_link = stack.last().is_some_and(|o| o.link);
                let before = buf.text.len();
                push_collapsed(&mut buf.text, t);
                let added = buf.text[before..]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .count();
                if added > 0 && buf.first.is_none() {
                    buf.first = Some(i);
                }
                buf.chars += added;
                if in_link {
                    buf.link += added;
                }
            }
            Kind::Other => {}
        }
        i += 1;
    }
    while let Some(o) = stack.pop() {
        if o.block {
            flush(&mut buf, o.idx, &o, dom, &mut out);
        }
    }
    let ctx = Open {
        end: 0,
        idx: root,
        block: true,
        owner: root,
        link: false,
        caption: false,
        byline: false,
        list: false,
        meta: 0,
        figcap: false,
    };
    flush(&mut buf, root, &ctx, dom, &mut out);
    out
}

/// Emits the buffered text as a block owned by `owner`, with the context
/// flags of `ctx` (the element being closed, or the context of the one
/// being opened).
fn flush(buf: &mut Buf, owner: usize, ctx: &Open, dom: &Dom<'_>, out: &mut Vec<XBlock>) {
    let b = std::mem::take(buf);
    let Some(first) = b.first else { return };
    let text = lines(&b.text);
    if text.is_empty() {
        return;
    }
    let tag = dom.tag(owner);
    let hint = if ctx.caption {
        Hint::Caption
    } else if let Some(level) = tag.strip_prefix('h').and_then(|l| l.parse::<u8>().ok()) {
        Hint::Heading(level)
    } else if ctx.byline {
        Hint::Byline
    } else if ctx.meta & flag::DATELINE != 0 {
        Hint::Dateline
    } else if ctx.meta & flag::TIME != 0 {
        Hint::Time
    } else {
        Hint::Text
    };
    out.push(XBlock {
        text,
        hint,
        owner,
        first,
        chars: b.chars,
        link: b.link,
        in_list: ctx.list,
    });
}

/// Trims each line, and keeps at most one blank line between lines (a
/// `<br><br>` paragraph break).
fn lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for l in s.split('\n') {
        let l = l.trim();
        if l.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::prune;
    use scraper::Html;

    fn texts(html: &str) -> Vec<(String, Hint)> {
        let doc = Html::parse_document(html);
        let dom = Dom::new(&doc);
        let f = prune::flags(&dom);
        blocks(&dom, &f, 0)
            .into_iter()
            .map(|b| (b.text, b.hint))
            .collect()
    }

    #[test]
    fn blocks_follow_layout() {
        let t = texts(
            "<div>lead <b>bold</b><p>para <a href=x>link</a></p>tail<br>line two<br><br>new para</div><h2>Head</h2><figure><img><figcaption><p>Cap <span>tion</span></p><p>(Photo: X)</p></figcaption></figure>",
        );
        let s: Vec<&str> = t.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            s,
            [
                "lead bold",
                "para link",
                "tail\nline two\n\nnew para",
                "Head",
                "Cap tion (Photo: X)"
            ]
        );
        assert_eq!(t[3].1, Hint::Heading(2));
        assert_eq!(t[4].1, Hint::Caption);
    }

    #[test]
    fn dropped_subtrees_are_skipped() {
        let keep = "keep this paragraph of running text ".repeat(5);
        let t = texts(&format!(
            "<p>{keep}</p><script>var x = 1;</script><nav>Home News</nav><p hidden>gone</p>"
        ));
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].0, keep.trim());
    }
}
