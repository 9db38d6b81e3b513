"""Harness-written text: names, places, captions, embedded posts, tables, lists, Q&A lines and
the paragraphs updates add. None of it is corpus text. Every generator takes the caller's
seeded `random.Random`, so a seed fixes the words."""

import random

FIRST = ["Jane", "Omar", "Lena", "Tomas", "Priya", "Kofi", "Marta", "Diego", "Aiko", "Sven",
         "Nadia", "Felix", "Grace", "Ivan", "Leila", "Paulo", "Ruth", "Yusuf", "Elena", "Hugo"]
LAST = ["Doe", "Okafor", "Lindqvist", "Moreau", "Nakamura", "Haddad", "Brennan", "Costa",
        "Varga", "Mensah", "Keller", "Ortiz", "Ibsen", "Kowalski", "Achebe", "Fischer",
        "Tanaka", "Quinn", "Rahman", "Delacroix"]
PLACES = [("LONDON", "England"), ("PARIS", "France"), ("NEW YORK", "United States"),
          ("BERLIN", "Germany"), ("TOKYO", "Japan"), ("SYDNEY", "Australia"),
          ("NAIROBI", "Kenya"), ("MADRID", "Spain"), ("TORONTO", "Canada"),
          ("SAO PAULO", "Brazil"), ("MUMBAI", "India"), ("JOHANNESBURG", "South Africa"),
          ("BRUSSELS", "Belgium"), ("SEOUL", "South Korea"), ("DUBLIN", "Ireland"),
          ("MEXICO CITY", "Mexico"), ("ROME", "Italy"), ("CAIRO", "Egypt")]
AGENCIES = ["Reuters", "AP", "AFP", "dpa", "PA", "Bloomberg"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def caption(rng: random.Random, city: str) -> str:
    who = rng.choice(["Demonstrators", "Officials", "A worker", "Supporters", "Residents",
                      "Emergency crews", "Delegates", "Shoppers", "Volunteers", "Commuters"])
    what = rng.choice(["gather outside the parliament building", "walk past a closed factory",
                       "wait for the results", "inspect the damage", "attend a news conference",
                       "queue at a polling station", "look at a display", "leave the court",
                       "stand near the harbour", "cross the main square"])
    day = rng.choice(WEEKDAYS)
    n = rng.randint(2, 28)
    return f"{who} {what} in {city.title()} on {day}, {rng.choice(MONTHS)} {n}."


def credit(rng: random.Random) -> tuple[str, str]:
    """(photographer, agency)"""
    return person(rng), rng.choice(AGENCIES + ["Getty Images", "EPA"])


def embed(rng: random.Random, city: str) -> tuple[str, str, str]:
    """An embedded social post: (post text, author, handle)."""
    who = person(rng)
    handle = who.split()[0].lower() + who.split()[1].lower()[:4] + str(rng.randint(1, 99))
    text = rng.choice([
        f"Huge crowds in {city.title()} this evening. Stay safe, everyone.",
        f"Just landed in {city.title()}. Talks start at {rng.randint(8, 11)} tomorrow morning.",
        f"Our team is on the ground in {city.title()} and will report live from {rng.randint(1, 9)} pm.",
        f"Thank you {city.title()}! {rng.randint(2, 90)} thousand of you came out today.",
    ])
    code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(10))
    return f"{text} pic.twitter.com/{code}", who, handle


def table(rng: random.Random, sep: str) -> list[str]:
    kind = rng.choice(["league", "vote", "market"])
    if kind == "league":
        head = ["Team", "P", "W", "Pts"]
        names = rng.sample(["Rovers", "United", "Athletic", "City", "Wanderers", "Albion",
                            "Harriers", "Rangers"], rng.randint(3, 5))
        rows = []
        for nm in names:
            p = rng.randint(10, 30)
            w = rng.randint(0, p)
            rows.append([nm, str(p), str(w), str(3 * w + rng.randint(0, p - w))])
    elif kind == "vote":
        head = ["Candidate", "Votes", "Share"]
        rows = [[person(rng), f"{rng.randint(1000, 90000):,}", f"{rng.randint(5, 60)}.{rng.randint(0, 9)}%"]
                for _ in range(rng.randint(3, 5))]
    else:
        head = ["Index", "Close", "Change"]
        names = rng.sample(["Composite", "Industrials", "Tech 100", "Small caps", "Energy",
                            "Banks"], rng.randint(3, 5))
        rows = [[nm, f"{rng.randint(900, 19000)}.{rng.randint(10, 99)}",
                 f"{rng.choice('+-')}{rng.randint(0, 3)}.{rng.randint(1, 99):02d}%"] for nm in names]
    return [sep.join(head)] + [sep.join(r) for r in rows]


def bullet_list(rng: random.Random, city: str, bullet: str) -> list[str]:
    intro = f"Main points from the {city.title()} {rng.choice(['meeting', 'hearing', 'summit', 'briefing', 'report'])}:"
    items = rng.sample([
        f"Budget rises to {rng.randint(2, 90)}.{rng.randint(1, 9)} billion",
        f"Vote moved to {rng.choice(WEEKDAYS)}",
        f"{rng.randint(3, 40)} new inspectors hired",
        f"Talks to resume in {rng.choice(MONTHS)}",
        f"Fares frozen for {rng.randint(2, 5)} years",
        f"Report due by {rng.choice(MONTHS)} {rng.randint(1, 28)}",
        f"{rng.randint(2, 9)} sites to close",
        "No change to interest rates",
    ], rng.randint(3, 5))
    return [intro] + [bullet + it for it in items]


def qa(rng: random.Random, city: str) -> list[str]:
    pairs = [
        ("What happens next?", f"A decision is expected within {rng.randint(2, 9)} weeks."),
        ("Who is affected?", f"About {rng.randint(2, 90)},000 people in {city.title()}, officials say."),
        ("Why now?", f"The current rules expire in {rng.choice(MONTHS)}."),
        ("How much will it cost?", f"Estimates range up to {rng.randint(2, 40)} million."),
        ("Can it be appealed?", f"Yes, within {rng.randint(14, 60)} days."),
    ]
    out = []
    for q, a in rng.sample(pairs, rng.randint(2, 3)):
        out += [f"Q: {q}", f"A: {a}"]
    return out


def update_paragraph(rng: random.Random) -> str:
    who = rng.choice(["A spokesperson", "The ministry", "Police", "The company", "Organisers",
                      "A senior official"])
    what = rng.choice([
        f"said on {rng.choice(WEEKDAYS)} that a further statement would follow within {rng.randint(2, 48)} hours",
        f"confirmed late on {rng.choice(WEEKDAYS)} that {rng.randint(2, 60)} more people had been contacted",
        f"declined to comment further when reached on {rng.choice(WEEKDAYS)}",
        f"said the figures would be revised by {rng.choice(MONTHS)} {rng.randint(1, 28)}",
    ])
    return f"{who} {what}."


SYNONYMS = {"said": "stated", "told": "informed", "big": "large", "also": "further",
            "but": "however", "new": "fresh", "would": "could", "very": "highly",
            "expected": "forecast", "plans": "proposals", "people": "citizens"}


# Stock paragraphs: content that many unrelated stories carry word for word (a line shared by
# many articles is not always chrome: retiring these as boilerplate loses content).
STOCK = [
    "The company did not immediately respond to a request for comment.",
    "Officials said an investigation was under way and declined to give further details.",
    "Shares in the group were little changed in early trading.",
]
