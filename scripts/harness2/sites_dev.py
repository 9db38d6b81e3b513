"""The 10 development site styles (D1-D10 in docs/HARNESS2.md). Rules may be tuned on these."""

import random
from datetime import datetime

from render import DAY3, MON3, MONTHS, WEEKDAYS, Line, PagePlan, Site, hm12

TOPICS = ["Politics", "Economy", "Markets", "Europe", "Africa", "Asia", "Technology", "Sport",
          "Culture", "Energy", "Health", "Courts", "Transport", "Climate"]


def topics(rng: random.Random, n: int = 3) -> str:
    return ", ".join(rng.sample(TOPICS, n))


class NorthernCourier(Site):
    key, name = "d1", "The Northern Courier"
    quotes = "curly"

    def top(self, rng, p):
        return [Line("THE NORTHERN COURIER", "masthead"), Line("Skip to main content", "chrome"),
                Line("Home \u203a News \u203a World", "breadcrumb")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}, {d.hour:02d}:{d.minute:02d} GMT"
        out = [f"Published: {f(pub)}"]
        if upd:
            out.append(f"Updated: {f(upd)}")
        return out

    def dateline(self, place, country, agency, dt):
        return f"{place} ({agency}) - ", None

    def after_meta(self, rng, p):
        return [Line("Share this article", "chrome")]

    def bottom(self, rng, p):
        return [Line("Share this article", "chrome"),
                Line(f"\u00a9 {p.published.year} The Northern Courier Ltd. All rights reserved.", "chrome")]


class MetroDailyWire(Site):
    key, name = "d2", "Metro Daily Wire"
    newline = "\r\n"

    def top(self, rng, p):
        return [Line("News | Local | Business | Sports | Opinion | Obituaries", "chrome")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year} {hm12(d).upper().replace('AM', 'AM').replace('PM', 'PM')} ET"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place} ({'AP' if agency in ('AP', 'Reuters') else agency}) \u2014 ", None

    def after_meta(self, rng, p):
        return [Line("Share: Facebook | Twitter | Email", "chrome")]

    def bottom(self, rng, p):
        return (self.rec_list("Recommended", p.rec[:4])
                + [Line("Get the Morning Wire newsletter delivered to your inbox every weekday. Sign up", "chrome")])


class HarbourGazette(Site):
    key, name = "d3", "Harbour Gazette"
    encoding = "cp1252"
    quotes = "straight"
    ad_every = 3

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day:02d}/{d.month:02d}/{d.year} {d.hour:02d}:{d.minute:02d}"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def byline(self, name):
        return f"By {name.upper()}"

    def dateline(self, place, country, agency, dt):
        return f"{place}: ", None

    def bottom(self, rng, p):
        return (self.rec_list("Most read", p.rec[:5]) + [Line(
            "Harbour Gazette Pty Ltd publishes this content subject to its terms of use and privacy "
            "policy; reproduction in whole or in part without written permission is prohibited.", "chrome")])


class ValleyChronicle(Site):
    key, name = "d4", "Valley Chronicle"
    encoding = "utf-8-bom"
    credit_inline = False

    def top(self, rng, p):
        return [Line("We use cookies to give you the best experience on our website. By continuing to "
                     "browse you agree to our use of cookies. Accept", "chrome"),
                Line("Skip to content", "chrome")]

    def byline(self, name):
        return f"By {name}, Staff Writer"

    def timestamps(self, pub, upd):
        f = lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year} at {hm12(d)}"
        return [f"Posted on {f(pub)}"] + ([f"Updated on {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place.upper()}, {MONTHS[dt.month - 1]} {dt.day} ({agency}) - ", None

    def caption_lines(self, text, who, agency):
        return [(text, "caption"), (f"Photo by {who} \u2014 {agency}", "credit")]

    def bottom(self, rng, p):
        return [Line("About Us | Contact | Advertise | Privacy Policy | Terms of Service", "chrome")]


class LedgerOnline(Site):
    key, name = "d5", "The Ledger Online"
    para_sep = "single"

    def meta(self, rng, p):
        return [Line(f"Tags: {topics(rng)}", "tags")] + super().meta(rng, p)

    def timestamps(self, pub, upd):
        return [pub.strftime("%Y-%m-%dT%H:%M:%SZ")] + ([upd.strftime("Updated %Y-%m-%dT%H:%M:%SZ")] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place} \u2014 ", None

    def bottom(self, rng, p):
        return self.rec_list("Related stories", p.rec[:3]) + [Line(f"{rng.randint(2, 400)} comments", "chrome")]


class EasternStandard(Site):
    key, name = "d6", "Eastern Standard"
    quotes = "curly"
    headline_twice = True
    credit_inline = False
    nbsp = True

    def timestamps(self, pub, upd):
        f = lambda d: f"{DAY3[d.weekday()]} {d.day} {MON3[d.month - 1]} {d.year} {d.hour:02d}.{d.minute:02d} GMT"
        if upd:
            return [f"{f(upd)}", f"First published on {f(pub)}"]
        return [f(pub)]

    def caption_lines(self, text, who, agency):
        return [(text, "caption"), (f"Photograph: {who}/{agency}", "credit")]

    def bottom(self, rng, p):
        return [Line("Most viewed", "chrome")] + [Line(h, "chrome") for h in p.rec[:3]]


class CivicPost(Site):
    key, name = "d7", "Civic Post"
    encoding = "utf-16le-bom"

    def top(self, rng, p):
        return [Line(f"News / {rng.choice(['Politics', 'World', 'Business'])}", "breadcrumb")]

    def timestamps(self, pub, upd):
        d = upd or pub
        return [f"Updated {hm12(d, True)} EST, {DAY3[d.weekday()]} {MONTHS[d.month - 1]} {d.day}, {d.year}"]

    def dateline(self, place, country, agency, dt):
        return f"{place}, {country} (CNN) \u2014 ", None

    def after_meta(self, rng, p):
        return [Line("Facebook Twitter Email", "chrome")]

    def bottom(self, rng, p):
        return [Line("Read more: sign up for our daily briefing", "chrome")]


class RheinBote(Site):
    key, name = "d8", "Rhein Bote"

    def top(self, rng, p):
        return [Line("RHEIN BOTE \u2014 English Edition", "masthead"),
                Line(f"Themen: {topics(rng, 2)}", "tags")]

    def timestamps(self, pub, upd):
        f = lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}, {d.hour:02d}:{d.minute:02d} Uhr"
        return [f(pub)] + ([f"Aktualisiert: {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place.title()}, {dt.day} {MONTHS[dt.month - 1]} ({'dpa' if agency == 'dpa' else agency}) \u2013 ", None

    def bottom(self, rng, p):
        return [Line("\u201eGuten Morgen\u201c: unser Newsletter jeden Tag um 6 Uhr. Jetzt anmelden", "chrome"),
                Line("Impressum \u2013 Datenschutz \u2013 Kontakt", "chrome")]


class PacificTimes(Site):
    key, name = "d9", "Pacific Times"
    quotes = "straight"
    trailing = "  "

    def byline(self, name):
        return f"Words: {name}"

    def timestamps(self, pub, upd):
        f = lambda d: f"{MON3[d.month - 1]}. {d.day}, {d.year} at {hm12(d, True)}"
        return [f(pub)] + ([f"Updated {f(upd)}"] if upd else [])

    def dateline(self, place, country, agency, dt):
        return f"{place}, {MON3[dt.month - 1]} {dt.day} - ", None

    def bottom(self, rng, p):
        return ([Line("Sign up for The Pacific Times newsletter: the day's top stories, every morning.", "chrome")]
                + self.rec_list("You may also like", p.rec[:3])
                + [Line("Download the Pacific Times app for iOS and Android", "chrome")])


class FrontierNews(Site):
    key, name = "d10", "Frontier News Network"
    newline = "\r\n"

    def meta(self, rng, p):
        d = p.published
        out = [Line(f"By {p.byline} | {MONTHS[d.month - 1]} {d.day}, {d.year}", "byline")]
        if p.updated:
            u = p.updated
            out.append(Line(f"Last updated: {MON3[u.month - 1]} {u.day}, {u.year} {u.hour:02d}:{u.minute:02d} | {rng.randint(2, 9)} min read", "timestamp"))
        return out

    def dateline(self, place, country, agency, dt):
        if len(place) % 2:
            return None, place
        return f"({'AFP' if agency != 'AP' else 'AP'}) \u2014 ", None

    def top(self, rng, p):
        return [Line("This site uses cookies. Learn more", "chrome")]

    def bottom(self, rng, p):
        return [Line("\u00a9 Frontier News Network. Terms | Privacy | Cookie settings", "chrome")]


SITES = [NorthernCourier(), MetroDailyWire(), HarbourGazette(), ValleyChronicle(), LedgerOnline(),
         EasternStandard(), CivicPost(), RheinBote(), PacificTimes(), FrontierNews()]
