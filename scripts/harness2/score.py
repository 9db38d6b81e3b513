"""The scorer: ground truth (from workload.py) + what shingled printed (ingest lines, export,
log) -> the figures of docs/HARNESS2.md and, for dev sites, the failures behind them.

Pure: no processes, no files; run.py does the I/O. Every figure is a share in [0, 1] (or None
when its class is empty) so that a perfect answer scores 1.0 everywhere (selftest.py checks).
"""

from collections import Counter, defaultdict

from textkit import key, trigrams

FUZZY_COVER = 0.8
KNOWN_KINDS = {"article.created", "article.updated", "article.duplicate", "file.unchanged",
               "file.quarantined"}


def _share(ok: int, n: int):
    return ok / n if n else None


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


class Truth:
    """Indexes over the ground truth: which story and line each key belongs to."""

    def __init__(self, truth: dict):
        self.t = truth
        self.files = truth["files"]
        self.content = defaultdict(set)  # key -> {(sid, lid)}
        self.chrome = {}  # key -> role
        self.lid_kind = {}
        self.lid_text = {}
        self.story_tri = defaultdict(set)  # sid -> word 3-grams of all its content
        self.tri_story = defaultdict(set)
        self.headlines = defaultdict(set)  # sid -> shown headline keys
        self.headline_text = defaultdict(set)
        self.story_lids = defaultdict(set)
        self.file_story_lids = defaultdict(set)  # (file, sid) -> lids shown
        self.cells = defaultdict(set)  # table row lid -> its cells' lids
        for name, f in self.files.items():
            for ln in f["lines"]:
                if ln["r"] == "content":
                    sid, lid = ln["s"], ln["l"]
                    self.lid_kind[lid] = ln["k"]
                    self.lid_text.setdefault(lid, ln["t"])
                    for t in [ln["t"], *ln["v"]]:
                        k = key(t)
                        if k:
                            self.content[k].add((sid, lid))
                        self.story_tri[sid] |= trigrams(t)
                    self.story_lids[sid].add(lid)
                    self.file_story_lids[(name, sid)].add(lid)
                    for alid, akind, atext in ln["a"]:
                        if akind == "cell":
                            self.cells[lid].add(alid)
                        if key(atext):
                            self.content[key(atext)].add((sid, alid))
                        self.lid_kind[alid] = akind
                        self.lid_text.setdefault(alid, atext)
                        self.story_lids[sid].add(alid)
                else:
                    k = key(ln["t"])
                    if k and k not in self.chrome:
                        self.chrome[k] = ln["r"]
                    if ln["r"] == "headline":
                        self.headlines[ln["s"]].add(key(ln["t"]))
                        self.headline_text[ln["s"]].add(ln["t"])
        for sid, tri in self.story_tri.items():
            for g in tri:
                self.tri_story[g].add(sid)

    def attribute(self, text: str):
        """(sids, lids, how): exact key match, else the story covering >= 80% of the block's
        word 3-grams, else nothing."""
        k = key(text)
        hit = self.content.get(k)
        if hit:
            return {s for s, _ in hit}, {l for _, l in hit}, "exact"
        tri = trigrams(text)
        if tri:
            cover = Counter()
            for g in tri:
                for s in self.tri_story.get(g, ()):
                    cover[s] += 1
            if cover:
                s, n = min(cover.items(), key=lambda kv: (-kv[1], kv[0]))
                if n / len(tri) >= FUZZY_COVER:
                    return {s}, set(), "fuzzy"
        return set(), set(), None

    def describe(self, text: str) -> str:
        k = key(text)
        if k in self.chrome:
            return self.chrome[k]
        return "unknown"


def _site_order(site):
    return (site is None, int(site[1:]) if site and site[1:].isdigit() else 0, str(site))


def _mentions(e: dict):
    """(article, version or None) for every article an event names: `article` with `version`,
    and ids in `articles` (strings or objects with `id`/`article` and maybe `version`) and in
    `split_from`: kinds added later (a split, a retitle, a retired block) name articles so."""
    if e.get("article"):
        yield e["article"], e.get("version")
    for x in e.get("articles") or []:
        if isinstance(x, str):
            yield x, None
        elif isinstance(x, dict) and (x.get("id") or x.get("article")):
            yield x.get("id") or x.get("article"), x.get("version")
    sf = e.get("split_from")
    if isinstance(sf, str):
        yield sf, None
    elif isinstance(sf, dict) and sf.get("article"):
        yield sf["article"], None


def score(truth: dict, ingest: list[dict], export: list[dict], log: list[dict], dumps: bool) -> dict:
    T = Truth(truth)
    fails = []

    order_ix = {n: i for i, n in enumerate(truth["order"])}
    story_site = {}
    for name in truth["order"]:
        for p in T.files[name]["parts"]:
            story_site.setdefault(p["story"], T.files[name]["site"])

    def art_site(aid):
        srcs = [s.get("file") for s in arts.get(aid, {}).get("sources", []) if s.get("file") in order_ix]
        return T.files[min(srcs, key=order_ix.get)]["site"] if srcs else None

    def fail(figure, **kw):
        if dumps:
            where = {}
            if isinstance(kw.get("file"), str) and kw["file"] in T.files:
                where["site"] = T.files[kw["file"]]["site"]
            elif kw.get("story") in story_site:
                where["site"] = story_site[kw["story"]]
            elif kw.get("article"):
                where["site"] = art_site(kw["article"])
            fails.append({"figure": figure, **where, **kw})

    per_site = defaultdict(lambda: defaultdict(lambda: [0, 0]))

    def tally(site, figure, ok, n=1):
        per_site[site][figure][0] += ok
        per_site[site][figure][1] += n

    # -- articles: attribution ------------------------------------------------------------
    arts = {a["id"]: a for a in export}
    held = {}  # id -> {lid}
    lid_blocks = {}  # id -> Counter(lid -> blocks)
    art_story = {}
    art_attr = {}
    holders = defaultdict(set)  # lid -> {article}
    n_fuzzy = n_unattr = 0
    for aid in sorted(arts):
        a = arts[aid]
        votes = Counter()
        lids = set()
        cnt = Counter()
        attrs = []
        for b in a.get("blocks", []):
            sids, ls, how = T.attribute(b.get("text", ""))
            attrs.append((sids, ls, how))
            for s in sids:
                votes[s] += 1 / len(sids)
            lids |= ls
            for l in ls:
                cnt[l] += 1
            n_fuzzy += how == "fuzzy"
            n_unattr += how is None
        held[aid] = lids
        lid_blocks[aid] = cnt
        art_attr[aid] = attrs
        art_story[aid] = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes else None
        for l in lids:
            holders[l].add(aid)

    def primary(sid):
        best = Counter()
        for l in T.story_lids.get(sid, ()):
            for aid in holders.get(l, ()):
                best[aid] += 1
        if not best:
            return None
        return min(best.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    # -- candidates and items -----------------------------------------------------------
    cands = defaultdict(set)
    for a in export:
        for s in a.get("sources", []):
            cands[s.get("file")].add(a["id"])
    for e in log:
        f = e.get("file")
        if f is None:
            continue
        for aid, _ in _mentions(e):
            if aid in arts:
                cands[f].add(aid)
    for line in ingest:
        for x in line.get("articles") or []:
            if x.get("id") in arts:
                cands[line.get("file")].add(x["id"])

    tri_cache = {}

    def art_tri(aid):
        if aid not in tri_cache:
            tri_cache[aid] = set().union(set(), *(trigrams(b.get("text", "")) for b in arts[aid].get("blocks", [])))
        return tri_cache[aid]

    items = {}  # (file, sid) -> predicted article or None
    for name in truth["order"]:
        f = T.files[name]
        if f["junk"]:
            continue
        for p in f["parts"]:
            sid = p["story"]
            lids = T.file_story_lids[(name, sid)]
            best = None
            for aid in sorted(cands.get(name, ())):
                n = len(held[aid] & lids)
                if n and (best is None or n > best[0]):
                    best = (n, aid)
            if best is None:
                # every line of this copy was since revised: the candidate whose blocks cover
                # most (at least half) of the copy's word 3-grams
                tri = set().union(*(trigrams(T.lid_text[l]) for l in lids)) if lids else set()
                for aid in sorted(cands.get(name, ())):
                    n = len(tri & art_tri(aid))
                    if tri and n >= 0.5 * len(tri) and (best is None or n > best[0]):
                        best = (n, aid)
            items[(name, sid)] = best[1] if best else None

    # -- clustering ---------------------------------------------------------------------
    cell = Counter()
    pred_n = Counter()
    true_n = Counter()
    for (name, sid), aid in items.items():
        true_n[sid] += 1
        if aid is not None:
            cell[(sid, aid)] += 1
            pred_n[aid] += 1
    tp = sum(_pairs(n) for n in cell.values())
    pp = sum(_pairs(n) for n in pred_n.values())
    tpairs = sum(_pairs(n) for n in true_n.values())
    cp = _share(tp, pp) if pp else 1.0
    cr = _share(tp, tpairs) if tpairs else 1.0
    cf = 2 * cp * cr / (cp + cr) if cp + cr else 0.0
    if dumps:
        by_art = defaultdict(lambda: defaultdict(list))
        by_story = defaultdict(lambda: defaultdict(list))
        for (name, sid), aid in items.items():
            by_story[sid][aid].append(name)
            if aid:
                by_art[aid][sid].append(name)
        for aid, ss in sorted(by_art.items()):
            if len(ss) > 1:
                fail("cluster_precision", article=aid, title=arts[aid].get("title"),
                     merged={s: sorted(v) for s, v in sorted(ss.items())})
        for sid, aa in sorted(by_story.items()):
            if len(aa) > 1:
                fail("cluster_recall", story=sid, title=truth["stories"][sid]["title"],
                     split={str(a): sorted(v) for a, v in sorted(aa.items(), key=lambda kv: str(kv[0]))})

    # -- two-story pages and false splits -------------------------------------------------
    ok = {"all": [0, 0], "sep": [0, 0], "glued": [0, 0], "first": [0, 0], "after": [0, 0]}
    for ts in truth["two_story"]:
        a = items.get((ts["file"], ts["main"]))
        b = items.get((ts["file"], ts["appended"]))
        good = a is not None and b is not None and a != b
        for k in ("all", "sep" if ts["separator"] else "glued",
                  "first" if ts.get("standalone_first") else "after"):
            ok[k][0] += good
            ok[k][1] += 1
        tally(T.files[ts["file"]]["site"], "two_story_split", good)
        if not good:
            fail("two_story_split", file=ts["file"], separator=ts["separator"],
                 main=ts["main"], appended=ts["appended"], main_article=a, appended_article=b)
    fs = {"all": [0, 0], "internal": [0, 0]}
    internal = set(truth["internal_dateline"])
    junk_articles = 0
    for name in truth["order"]:
        f = T.files[name]
        if f["junk"] or f["byte_copy_of"] or len(f["parts"]) != 1:
            continue
        sid = f["parts"][0]["story"]
        lids = T.file_story_lids[(name, sid)]
        holding = sorted(aid for aid in cands.get(name, ()) if held[aid] & lids)
        split = len(holding) >= 2
        for k in ("all", "internal") if name in internal else ("all",):
            fs[k][0] += split
            fs[k][1] += 1
        if split:
            fail("false_split", file=name, story=sid, articles=holding)
    for aid in sorted(arts):
        if art_story[aid] is None:
            junk_articles += 1
            fail("block_precision", article=aid, what="article with no story content",
                 blocks=[b.get("text", "")[:120] for b in arts[aid].get("blocks", [])][:6])

    # -- titles ---------------------------------------------------------------------------
    t_ok = t_n = 0
    tf_ok = tf_n = 0
    prim = {sid: primary(sid) for sid in truth["stories"]}
    first_titleless = set()  # stories whose first page shows no headline of theirs
    seen = set()
    for name in truth["order"]:
        f = T.files[name]
        for p in f["parts"]:
            if p["story"] in seen:
                continue
            seen.add(p["story"])
            if not any(ln["r"] == "headline" and ln["s"] == p["story"] for ln in f["lines"]):
                first_titleless.add(p["story"])
    for sid in sorted(truth["stories"]):
        if not T.headlines.get(sid):
            continue
        t_n += 1
        a = prim[sid]
        title = arts[a].get("title") if a else None
        good = a is not None and key(title or "") in T.headlines[sid]
        t_ok += good
        tally(story_site.get(sid), "title_exact", good)
        if sid in first_titleless:
            tf_n += 1
            tf_ok += good
        if not good:
            fail("title_exact", story=sid, article=a, title=title,
                 inferred=arts[a].get("title_inferred") if a else None,
                 shown=sorted(T.headline_text[sid]))
    inferred = sum(1 for a in export if a.get("title_inferred"))

    # -- blocks ---------------------------------------------------------------------------
    b_ok = b_n = 0
    for aid in sorted(arts):
        st = art_story[aid]
        site_a = art_site(aid)
        for b, (sids, ls, how) in zip(arts[aid].get("blocks", []), art_attr[aid]):
            b_n += 1
            good = st is not None and st in sids
            b_ok += good
            tally(site_a, "block_precision", good)
            if not good and st is not None:
                what = T.describe(b.get("text", ""))
                if sids:
                    what = "another story's line (" + ",".join(sorted(sids)) + ")"
                fail("block_precision", article=aid, story=st, block=b.get("text", "")[:160],
                     kind=b.get("kind"), what=what)

    # -- paragraph recall, updates ----------------------------------------------------------
    r_ok = r_n = 0
    u_ok = u_n = ux_ok = 0
    # stories where a page of an older version arrives after the last page of the newest one
    last_newest, late_old = {}, {}
    for i, name in enumerate(truth["order"]):
        for p in T.files[name]["parts"]:
            if p["version"] == truth["stories"][p["story"]]["newest"]:
                last_newest[p["story"]] = i
    for i, name in enumerate(truth["order"]):
        for p in T.files[name]["parts"]:
            sid = p["story"]
            if p["version"] < truth["stories"][sid]["newest"] and i > last_newest.get(sid, i):
                late_old[sid] = True
    u_by: dict = {}
    for sid in sorted(truth["stories"]):
        s = truth["stories"][sid]
        a = prim[sid]
        h = held[a] if a else set()
        newest = s["versions"][str(s["newest"])]
        miss = [l for l in newest if l not in h and not (T.cells.get(l) and T.cells[l] <= h)]
        r_n += len(newest)
        r_ok += len(newest) - len(miss)
        tally(story_site.get(sid), "paragraph_recall", len(newest) - len(miss), len(newest))
        for l in miss:
            fail("paragraph_recall", story=sid, article=a, kind=T.lid_kind.get(l),
                 line=T.lid_text.get(l, "")[:160])
        if len(s["versions"]) >= 2:
            u_n += 1
            older = set().union(*(set(v) for k, v in s["versions"].items() if k != str(s["newest"])))
            stale = sorted(older - set(newest) & h)
            fresh_miss = [l for l in miss if l not in older]
            good = not fresh_miss and not stale
            u_ok += good
            ux_ok += not miss and not stale
            how = truth.get("update_orders", {}).get(sid, "unknown")
            late = "late_old_copy" if late_old.get(sid) else "no_late_old_copy"
            for k in (how, late):
                u_by.setdefault(k, [0, 0])
                u_by[k][0] += good
                u_by[k][1] += 1
            if not good:
                fail("update_newest", story=sid, article=a, versions=len(s["versions"]),
                     missing=[T.lid_text.get(l, "")[:100] for l in fresh_miss],
                     stale=[T.lid_text.get(l, "")[:100] for l in stale])

    # stock paragraphs (shared word for word by unrelated stories): still in each article?
    st_ok = st_n = 0
    for sid, lid in sorted(truth.get("stock", {}).items()):
        s = truth["stories"][sid]
        if lid not in s["versions"][str(s["newest"])]:
            continue  # an update edited it: no longer the stock text
        st_n += 1
        a = prim[sid]
        good = a is not None and lid in held[a]
        st_ok += good
        if not good and a is not None:
            fail("stock_kept", story=sid, article=a, line=T.lid_text.get(lid, ""))

    # -- look-alikes, captions, quarantine --------------------------------------------------
    l_ok = 0
    for sa, fa, sb, fb in truth["lookalikes"]:
        a, b = items.get((fa, sa)), items.get((fb, sb))
        good = a is not None and b is not None and a != b
        l_ok += good
        if not good:
            fail("lookalikes_apart", files=[fa, fb], stories=[sa, sb], articles=[a, b])
    c_ok = c_n = 0
    cr_ok = cr_n = 0
    created = {(x.get("file"), a.get("id")) for x in ingest for a in x.get("articles") or []
               if a.get("change") == "created"}
    for name in truth["order"]:
        f = T.files[name]
        if f["junk"] or f["byte_copy_of"]:
            continue
        sid = f["parts"][0]["story"]
        a = items.get((name, sid))
        caps = sorted({ln["l"] for ln in f["lines"] if ln["r"] == "content" and ln["k"] == "caption"})
        if a is not None and (name, a) in created:
            for lid in caps:
                cr_n += 1
                cr_ok += lid_blocks[a][lid] >= 1
        if not f["captions_twice"]:
            continue
        for lid in caps:
            for h in sorted(holders.get(lid, ())):
                c_n += 1
                n = lid_blocks[h][lid]
                c_ok += n == 1
                if n != 1:
                    fail("captions_once", file=name, article=h, caption=T.lid_text[lid][:120], times=n)
    outcome = {x.get("file"): x.get("outcome") for x in ingest}
    bc = [n for n in truth["order"] if T.files[n]["byte_copy_of"]]
    bc_ok = sum(outcome.get(n) == "unchanged" for n in bc)
    for n in bc:
        if outcome.get(n) != "unchanged":
            fail("byte_copies_unchanged", file=n, copy_of=T.files[n]["byte_copy_of"], outcome=outcome.get(n))
    q = {"junk": [0, 0], "good": [0, 0]}
    for name in truth["order"]:
        junk = T.files[name]["junk"]
        o = outcome.get(name)
        good = (o == "quarantined") == junk
        q["junk" if junk else "good"][0] += good
        q["junk" if junk else "good"][1] += 1
        if not good:
            fail("quarantine_correct", file=name, junk=junk,
                 kind=T.files[name].get("junk_kind"), outcome=o)

    # -- change log -------------------------------------------------------------------------
    viol = []
    seqs = [e.get("seq") for e in log]
    if seqs != list(range(1, len(seqs) + 1)):
        viol.append("seqs are not 1..N in order")
    by_seq = {e.get("seq"): e for e in log}
    for line in ingest:
        for x in line.get("articles") or []:
            e = by_seq.get(x.get("seq"))
            names = {aid for aid, _ in _mentions(e)} if e else set()
            if e is None or x.get("id") not in names:
                viol.append(f"ingest seq {x.get('seq')} of {line.get('file')} names no event of {x.get('id')}")
    ev_art = defaultdict(list)  # article -> versions named by events that mention it
    for e in log:
        for aid, v in _mentions(e):
            ev_art[aid].append(v)
    for aid, a in sorted(arts.items()):
        vs = [v for v in ev_art.get(aid, []) if isinstance(v, int)]
        if aid not in ev_art:
            viol.append(f"article {aid} has no event")
        elif vs and max(vs) != a.get("version"):
            viol.append(f"article {aid}: export version {a.get('version')} != log {max(vs)}")
    ev_file = defaultdict(set)
    for e in log:
        if e.get("file"):
            ev_file[e["file"]].add(e.get("kind"))
    for name in truth["order"]:
        kinds = ev_file.get(name, set())
        if not kinds:
            viol.append(f"file {name} has no event")
        elif T.files[name]["junk"] and "file.quarantined" not in kinds:
            viol.append(f"junk file {name} has no file.quarantined event")
    kinds = Counter(e.get("kind") for e in log)
    for v in viol[:50]:
        fail("changelog_sane", violation=v)

    figures = {
        "cluster_precision": cp, "cluster_recall": cr, "cluster_f1": cf,
        "two_story_split": _share(*ok["all"]), "two_story_split_sep": _share(*ok["sep"]),
        "two_story_split_glued": _share(*ok["glued"]),
        "two_story_split_standalone_first": _share(*ok["first"]),
        "two_story_split_standalone_after": _share(*ok["after"]),
        "false_split": _share(*fs["all"]), "false_split_internal_dateline": _share(*fs["internal"]),
        "title_exact": _share(t_ok, t_n), "title_exact_first_page_titleless": _share(tf_ok, tf_n), "block_precision": _share(b_ok, b_n),
        "paragraph_recall": _share(r_ok, r_n), "update_newest": _share(u_ok, u_n),
        "update_exact": _share(ux_ok, u_n),
        **{f"update_newest_{k}": _share(*v) for k, v in sorted(u_by.items())},
        "lookalikes_apart": _share(l_ok, len(truth["lookalikes"])),
        "captions_once": _share(c_ok, c_n), "caption_recall": _share(cr_ok, cr_n),
        "quarantine_correct": _share(q["junk"][0] + q["good"][0], q["junk"][1] + q["good"][1]),
        "junk_quarantined": _share(*q["junk"]), "good_not_quarantined": _share(*q["good"]),
        "changelog_sane": 0.0 if viol else 1.0,
        "byte_copies_unchanged": _share(bc_ok, len(bc)),
        "stock_kept": _share(st_ok, st_n),
    }
    report = {
        "items": len(items), "articles": len(arts), "blocks": b_n,
        "blocks_fuzzy": n_fuzzy, "blocks_unattributed": n_unattr,
        "articles_without_story": junk_articles,
        "title_inferred": _share(inferred, len(arts)),
        "event_kinds": dict(sorted(kinds.items())),
        "unknown_event_kinds": sorted(k for k in kinds if k not in KNOWN_KINDS),
        "changelog_violations": len(viol),
        "denominators": {"two_story": ok["all"][1], "single_story_pages": fs["all"][1],
                         "titled_stories": t_n, "newest_lines": r_n, "update_classes": u_n,
                         "lookalike_pairs": len(truth["lookalikes"]), "captions_twice_held": c_n,
                         "captions_on_creating_pages": cr_n},
    }
    out = {"figures": figures, "report": report}
    if dumps:
        # dev sites only: where the failures are, and of what kind
        out["by_site"] = {site: {f: _share(*v) for f, v in sorted(d.items())}
                          for site, d in sorted(per_site.items(), key=lambda kv: _site_order(kv[0]))}
        kinds = Counter()
        for x in fails:
            if x["figure"] == "paragraph_recall":
                kinds["missing " + (str(x.get("kind")) if x.get("article") else "line of a story in no article")] += 1
            elif x["figure"] == "block_precision":
                w = str(x.get("what"))
                kinds["foreign " + ("other story" if w.startswith("another story") else w)] += 1
        out["failure_kinds"] = dict(sorted(kinds.items(), key=lambda kv: -kv[1]))
        out["failures"] = fails
    return out
