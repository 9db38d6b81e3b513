"""The 8 test site styles (T1-T8 in docs/HARNESS2.md). Kept apart from the dev sites so that
whoever tunes the normalizer's rules can avoid reading them: report these, do not tune on them."""

import random

from render import DAY3, MON3, MONTHS, WEEKDAYS, Line, Site, hm12

SECTIONS = ["World", "Africa", "Europe", "Business", "Science", "Local", "Nation"]


class LakesideHerald(Site):
    key, name = "t1", "Lakeside Herald"
    quotes = "straight"
    dashes = "--"

    def top(self, rng, p):
        out = [Line("Skip to main content", "chrome"), Line("Skip to footer", "chrome")]
        h = p.parts[0].headline
        if h:
            out.append(Line(f"{h} | Lakeside Herald", "pagetitle"))
        return out

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.hour:02d}:{d.minute:02d} GMT, {d.day} {MONTHS[d.month - 1]} {d.year}"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place}, {country} -- ", None

    def bottom(self, rng, p):
        return [Line("Lakeside Herald | Contact the newsroom | Corrections | Privacy", "chrome")]


class CapitalDispatch(Site):
    key, name = "t2", "Capital Dispatch"
    nbsp = True

    def top(self, rng, p):
        return [Line(f"News / World / {rng.choice(SECTIONS)}", "breadcrumb")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year} \u2022 {d.hour:02d}:{d.minute:02d}"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place}, {country}, {MONTHS[dt.month - 1]} {dt.day} ({agency}) \u2014 ", None

    def after_meta(self, rng, p):
        return [Line("Share on Facebook  Share on X  Share by email", "chrome")]

    def bottom(self, rng, p):
        return self.rec_list("Most popular", p.rec[:5])


class SummitObserver(Site):
    key, name = "t3", "Summit Observer"
    encoding = "cp1252"
    newline = "\r\n"
    ad_every = 2
    credit_inline = False

    def timestamps(self, pub, upd):
        f = lambda d: f"{MON3[d.month - 1]} {d.day}, {d.year}, {hm12(d).upper()} EDT"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place} ({'AP' if agency == 'AP' else agency}) \u2014 ", None

    def caption_lines(self, text, who, agency):
        return [(text, "caption"), (f"({who}/{agency})", "credit")]

    def after_meta(self, rng, p):
        return [Line("Share  Tweet  Email  Print", "chrome")]

    def bottom(self, rng, p):
        return [Line("Story continues below advertisement", "ad"),
                Line("Copyright Summit Observer Media. This material may not be published, broadcast, "
                     "rewritten or redistributed without permission.", "chrome")]


class IslandReview(Site):
    key, name = "t4", "Island Review"
    encoding = "utf-16le-bom"

    def top(self, rng, p):
        return [Line("Island Review", "masthead")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{WEEKDAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year} \u2014 {d.hour:02d}:{d.minute:02d}"
        return [f(upd or pub)]

    def dateline(self, place, country, agency, dt):
        return f"{place}, {country} \u2014 ", None

    def bottom(self, rng, p):
        return ([Line("Get the Island Review briefing: the news that matters, in your inbox at 7am.", "chrome")]
                + self.rec_list("Recommended", p.rec[:3]))


class CoastalBulletin(Site):
    key, name = "t5", "Coastal Bulletin"
    para_sep = "single"
    trailing = " \t"

    def meta(self, rng, p):
        return super().meta(rng, p) + [Line(f"Topics: {', '.join(rng.sample(SECTIONS, 2))}", "tags")]

    def timestamps(self, pub, upd):
        f = lambda d: d.strftime("%Y-%m-%d %H:%M")
        return [f(pub)] + ([f"Modified {f(upd)}"] if upd else [])

    def byline(self, name):
        return f"{name} | Staff writer"

    def dateline(self, place, country, agency, dt):
        return f"{place} ({'ANSA' if agency == 'Reuters' else agency}) - ", None

    def bottom(self, rng, p):
        return [Line(f"{rng.randint(1, 250)} Comments", "chrome"),
                Line("Coastal Bulletin \u00b7 Coastal Media Group \u00b7 All rights reserved", "chrome")]


class MorningRecord(Site):
    key, name = "t6", "The Morning Record"
    encoding = "utf-8-bom"

    def top(self, rng, p):
        return [Line("THE MORNING RECORD", "masthead"),
                Line(f"TOPICS: {' | '.join(s.upper() for s in rng.sample(SECTIONS, 3))}", "tags"),
                Line("We and our partners use cookies to personalise content and ads. Manage preferences", "chrome")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day}/{d.month}/{d.year} {hm12(d).replace(' ', '')}"
        return [f"Published {f(pub)}"] + ([f"Updated {f(upd)}"] if upd else [])

    def byline(self, name):
        return f"By {name.upper()}, Associated Press"

    def dateline(self, place, country, agency, dt):
        return None, f"{place}, {country}"


class PrairieSentinel(Site):
    key, name = "t7", "Prairie Sentinel"
    quotes = "curly"
    ad_every = 4

    def top(self, rng, p):
        return [Line("Skip to main content", "chrome")]

    def timestamps(self, pub, upd):
        def f(d):
            sfx = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
            return f"{MONTHS[d.month - 1]} {d.day}{sfx}, {d.year} | {hm12(d).upper()} CST"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place} \u2014 ", None

    def bottom(self, rng, p):
        return (self.rec_list("Trending now", p.rec[:4])
                + [Line("Prairie Sentinel is a division of Prairie Media Inc. All content copyright; see our "
                        "terms of use and community guidelines before commenting.", "chrome")])


class MetroAsiaToday(Site):
    key, name = "t8", "Metro Asia Today"

    def top(self, rng, p):
        return [Line(f"Home > {rng.choice(SECTIONS)} > News", "breadcrumb")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day:02d}-{MON3[d.month - 1]}-{d.year} {d.hour:02d}:{d.minute:02d} IST"
        return [f(pub)] + ([f"Updated\uff1a{f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place}, {MONTHS[dt.month - 1]} {dt.day} ({'PTI' if agency != 'AP' else agency}): ", None

    def after_meta(self, rng, p):
        return [Line("Share\uff1aWhatsApp | Facebook | Telegram", "chrome")]

    def bottom(self, rng, p):
        return [Line("Get the Metro Asia Today app for breaking news alerts", "chrome"),
                Line("Metro Asia Today \u00a9 All rights reserved | Disclaimer | Grievance", "chrome")]


SITES = [LakesideHerald(), CapitalDispatch(), SummitObserver(), IslandReview(), CoastalBulletin(),
         MorningRecord(), PrairieSentinel(), MetroAsiaToday()]
