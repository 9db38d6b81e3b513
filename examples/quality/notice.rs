//! Templated wire notices (written for this harness): dividend notices,
//! fund payouts and earnings tables of many companies with their own
//! numbers. Each is its own article; none may link to another.

use crate::plant::{Expect, Planter};

impl Planter<'_> {
    /// A templated wire notice with its own company and numbers.
    pub fn notice(&mut self, i: usize, cluster: u64) {
        let a = [
            "Harbour",
            "Quayside",
            "Northern",
            "Valley",
            "Granite",
            "Meadow",
            "Beacon",
            "Summit",
            "Riverside",
            "Oakfield",
            "Lantern",
            "Copper",
        ];
        let b = [
            "Holdings",
            "Foods",
            "Estates",
            "Industries",
            "Bancorp",
            "Energy",
            "Mills",
            "Shipping",
            "Textiles",
            "Brewing",
        ];
        let c3 = ["Atlantic", "Pacific", "Western", "Eastern", "Central"];
        let company = format!(
            "{} {} {}",
            a[i % a.len()],
            c3[(i / a.len()) % c3.len()],
            b[(i / (a.len() * c3.len())) % b.len()]
        );
        let months = ["March", "April", "May", "June"];
        let r = &mut self.rng;
        let (m1, m2) = (months[r.below(4)], months[r.below(4)]);
        let (c, d1, d2, prior) = (
            5 + r.below(60),
            1 + r.below(28),
            1 + r.below(28),
            5 + r.below(60),
        );
        let (title, paras): (String, Vec<String>) = match i % 3 {
            0 => (
                format!("{} SETS QUARTERLY DIVIDEND", company.to_uppercase()),
                vec![
                    format!(
                        "{company} said its board declared a quarterly dividend of {c} cents per share, payable {m1} {d1} to shareholders of record on {m2} {d2}."
                    ),
                    format!("The company paid {prior} cents a share in the previous quarter."),
                    "Payable in cash.".to_string(),
                ],
            ),
            1 => (
                format!("{} INCOME FUND SETS PAYOUT", company.to_uppercase()),
                vec![
                    format!(
                        "Monthly dividend {}.{} cents vs {}.{} cents prior",
                        c / 10,
                        c % 10,
                        c / 10,
                        c % 10
                    ),
                    format!("Pay {m1} {d1}"),
                    format!("Record {m2} {d2}"),
                    format!("NOTE: {company} Insured Income Fund."),
                ],
            ),
            _ => (
                format!("{} 4TH QTR NET", company.to_uppercase()),
                vec![
                    format!("Shr {c} cts vs {prior} cts"),
                    format!("Net {d1}.{d2} mln vs {}.{} mln", d2, d1),
                    format!("Revs {} mln vs {} mln", c * 7, prior * 7),
                ],
            ),
        };
        let paras: Vec<(String, u64, Expect)> = paras
            .into_iter()
            .map(|p| {
                let r = self.root(&p, None);
                (p, r, Expect::Plain)
            })
            .collect();
        let mut f = self.file(
            format!("notice-{i:04}.txt"),
            &title,
            paras,
            cluster,
            "notice",
            "created",
            false,
        );
        f.notice = true;
        self.families.push(vec![f]);
    }
}
