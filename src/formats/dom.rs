//! A flat, pre-order view of a parsed HTML tree.
//!
//! html5ever builds the tree; every pass of the extractor then works on
//! this arena by index instead of walking the tree recursively: a node's
//! subtree is the index range `i..end`, its children come after it, so a
//! single reverse loop sums subtree statistics and a forward loop with a
//! stack of open ends replaces recursion. Arbitrarily deep markup therefore
//! never touches the call stack.

use scraper::node::Element;
use scraper::{Html, Node};

/// What an arena node is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind<'a> {
    /// An element.
    Element(&'a Element),
    /// A text node.
    Text(&'a str),
    /// Document, doctype, comment, processing instruction.
    Other,
}

/// One node of the arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct N<'a> {
    pub(crate) kind: Kind<'a>,
    /// Index of the parent (the root is its own parent).
    pub(crate) parent: usize,
    /// One past the last node of this node's subtree.
    pub(crate) end: usize,
}

/// The arena.
#[derive(Debug)]
pub(crate) struct Dom<'a> {
    pub(crate) nodes: Vec<N<'a>>,
}

impl<'a> Dom<'a> {
    /// Flattens `html` in document order.
    pub(crate) fn new(html: &'a Html) -> Dom<'a> {
        let mut nodes: Vec<N<'a>> = Vec::with_capacity(1024);
        let mut open: Vec<usize> = Vec::with_capacity(64);
        for edge in html.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(node) => {
                    let kind = match node.value() {
                        Node::Element(e) => Kind::Element(e),
                        Node::Text(t) => Kind::Text(&t.text),
                        _ => Kind::Other,
                    };
                    let i = nodes.len();
                    let parent = open.last().copied().unwrap_or(i);
                    nodes.push(N {
                        kind,
                        parent,
                        end: i + 1,
                    });
                    open.push(i);
                }
                ego_tree::iter::Edge::Close(_) => {
                    if let Some(i) = open.pop() {
                        let end = nodes.len();
                        nodes[i].end = end;
                    }
                }
            }
        }
        Dom { nodes }
    }

    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The element at `i`, if it is one.
    pub(crate) fn element(&self, i: usize) -> Option<&'a Element> {
        match self.nodes.get(i)?.kind {
            Kind::Element(e) => Some(e),
            _ => None,
        }
    }

    /// The tag name at `i` (`""` for non-elements). html5ever lower-cases
    /// HTML tag names.
    pub(crate) fn tag(&self, i: usize) -> &'a str {
        self.element(i).map_or("", Element::name)
    }

    /// An attribute of the element at `i`.
    pub(crate) fn attr(&self, i: usize, name: &str) -> Option<&'a str> {
        self.element(i)?
            .attrs()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Parent index, or `None` for the root.
    pub(crate) fn parent(&self, i: usize) -> Option<usize> {
        let p = self.nodes.get(i)?.parent;
        (p != i).then_some(p)
    }

    /// Whether `a` is `d` or an ancestor of it.
    pub(crate) fn contains(&self, a: usize, d: usize) -> bool {
        a <= d && d < self.nodes.get(a).map_or(0, |n| n.end)
    }

    /// Indices of the elements named `tag`, in document order.
    pub(crate) fn elements_named(&self, tag: &'a str) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(move |&i| self.tag(i) == tag)
    }

    /// The text of the subtree at `i`, whitespace collapsed, skipping
    /// `script`/`style`/`template` subtrees.
    pub(crate) fn text(&self, i: usize) -> String {
        let mut out = String::new();
        let end = self.nodes.get(i).map_or(i, |n| n.end);
        let mut j = i;
        while j < end {
            match self.nodes[j].kind {
                Kind::Element(e) if matches!(e.name(), "script" | "style" | "template") => {
                    j = self.nodes[j].end;
                    continue;
                }
                Kind::Text(t) => push_collapsed(&mut out, t),
                _ => {}
            }
            j += 1;
        }
        out.trim_end().to_owned()
    }
}

/// Appends `t` to `out` with whitespace runs collapsed to one space and no
/// leading space at the start of `out` or after a newline.
pub(crate) fn push_collapsed(out: &mut String, t: &str) {
    for c in t.chars() {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// Splits a class or id value into lower-case words: on any
/// non-alphanumeric character and at camelCase humps, so `relatedStories`,
/// `related-stories` and `related_stories` all yield `related`, `stories`.
pub(crate) fn words(value: &str, out: &mut Vec<String>) {
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_ranges_and_text() {
        let html = Html::parse_document("<p>a <b>b</b></p><div><script>x</script> c\n d</div>");
        let dom = Dom::new(&html);
        let p = dom.elements_named("p").next().expect("p");
        assert_eq!(dom.text(p), "a b");
        let d = dom.elements_named("div").next().expect("div");
        assert_eq!(dom.text(d), "c d");
        let b = dom.elements_named("b").next().expect("b");
        assert!(dom.contains(p, b) && !dom.contains(d, b));
        assert_eq!(dom.parent(b), Some(p));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let html = Html::parse_document(&"<div>".repeat(3_000));
        let dom = Dom::new(&html);
        assert!(dom.len() > 3_000);
        assert_eq!(dom.text(0), "");
    }

    #[test]
    fn class_words() {
        let mut w = Vec::new();
        words("relatedStories c-article__body ad_slot2", &mut w);
        assert_eq!(
            w,
            ["related", "stories", "c", "article", "body", "ad", "slot2"]
        );
    }
}
