//! The readable form of `explain`'s answers.

use super::{BlockExplanation, Explanation};
use crate::changelog::BlockMatch;
use std::fmt::Write;

/// A block's explanation as readable text.
#[must_use]
pub fn block_text(b: &BlockExplanation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "block {} [{}] \"{}\"", b.id, b.kind, clip(&b.text, 200));
    let first = b.first_file.as_deref().unwrap_or("?");
    let _ = writeln!(
        s,
        "first seen seq {} in {first}; carried by {} file(s)",
        b.first_seq, b.sources
    );
    let fuzzy = if b.shingles > 0 {
        format!("{} shingles (near-duplicate tier)", b.shingles)
    } else {
        "short: matches exactly only".into()
    };
    let _ = writeln!(s, "index: {fuzzy}");
    let bp = if b.boilerplate {
        "; learned boilerplate"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "in {} article(s): {}{bp}",
        b.articles_total,
        b.articles.join(" ")
    );
    s
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

fn how(m: &BlockMatch) -> String {
    let mut s = m.relation.clone();
    if let Some(t) = m.matched.as_deref().filter(|t| *t != m.block) {
        let _ = write!(s, " of {}", short(t));
    }
    if let (Some(j), Some(c)) = (m.jaccard, m.containment) {
        let _ = write!(s, " (jaccard {j:.2}, containment {c:.2})");
    }
    if m.numbers_differ == Some(true) {
        s.push_str(" [numbers differ]");
    }
    s
}

/// The explanation as readable text.
#[must_use]
pub fn text(x: &Explanation) -> String {
    let mut s = String::new();
    let title = x.title.as_deref().unwrap_or("(untitled)");
    let _ = writeln!(s, "article {} version {}: {title}", x.article, x.version);
    let _ = writeln!(s, "\nsources ({}):", x.sources.len());
    for src in &x.sources {
        let _ = write!(s, "  seq {:<6} {:<9} {}", src.seq, src.change, src.file);
        if let Some(v) = src.version {
            let _ = write!(s, " -> v{v}");
        }
        if let Some(sc) = src.score {
            let _ = write!(s, " (score {sc:.2})");
        }
        let _ = writeln!(s, "  received {}", src.received);
    }
    let _ = writeln!(s, "\nversions:");
    for v in &x.versions {
        let file = v.file.as_deref().unwrap_or("?");
        let _ = writeln!(
            s,
            "  v{} seq {} from {file}: {} blocks",
            v.version, v.seq, v.blocks
        );
        if let Some(d) = &v.diff {
            for a in &d.added {
                let _ = writeln!(s, "     + added   {}", short(a));
            }
            for r in &d.removed {
                let _ = writeln!(s, "     - removed {}", short(r));
            }
            for [o, n] in &d.revised {
                let _ = writeln!(s, "     ~ revised {} -> {}", short(o), short(n));
            }
        }
    }
    let _ = writeln!(s, "\nblocks (v{}):", x.version);
    for (i, b) in x.blocks.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {:>2}. [{}] {} \"{}\"",
            i + 1,
            b.kind,
            short(&b.id),
            clip(&b.text, 70)
        );
        let entered = b.entered.as_ref().map_or_else(|| "?".into(), how);
        let _ = writeln!(s, "      in since v{}: {entered}", b.since_version);
        let first = b.first_file.as_deref().unwrap_or("?");
        let _ = write!(
            s,
            "      first seen seq {} in {first}; in {} article(s)",
            b.first_seq, b.articles_total
        );
        if b.boilerplate {
            s.push_str("; learned boilerplate since");
        }
        let _ = writeln!(s);
        if !b.fed_by.is_empty() {
            let _ = writeln!(s, "      fed by: {}", b.fed_by.join(", "));
        }
    }
    s
}
