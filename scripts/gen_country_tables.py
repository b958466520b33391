#!/usr/bin/env python3
"""Generate reference/calling-codes.csv and reference/emergency-numbers.csv.

Source: libphonenumber's metadata, through the PyPI package `phonenumbers`
(the Python port of libphonenumber). Run by hand; the outputs are committed and
nothing is downloaded at build or run time:

    pip install phonenumbers==<version in the CSV headers>
    python3 scripts/gen_country_tables.py

Uses only the standard library and `phonenumbers`.

calling-codes.csv (`prefix,iso`; the consumer takes the longest matching prefix):
  * one row `cc,<main region>` per geographic country calling code
    (non-geographic "001" codes are skipped);
  * NANP (cc 1): one row `1NXX,<region>` per area code whose region is not US,
    found by asking region_code_for_number about sample numbers in that area code;
  * other shared codes: each non-main region with `leading_digits` metadata gets
    `cc+<each string its leading_digits pattern matches>`. A region without
    `leading_digits` (GG, JE, CC, CX, YT, BL, MF, EH ...) is resolved by sampling:
    see `sample_prefixes`.

emergency-numbers.csv (`iso,number`): every region's short-number metadata
`emergency` pattern expanded to the finite set of strings it matches, plus the
rules of the terms (112 in the EU/EEA, GB and CH; 911 in all NANP regions; 000 in AU).
"""

import collections
import os
import sys

try:  # Python >= 3.11 deprecates the public sre_parse module.
    from re import _parser as sre_parse
    from re import _constants as sre_c
except ImportError:  # pragma: no cover
    import sre_parse
    import sre_constants as sre_c

import phonenumbers
from phonenumbers import PhoneMetadata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALLING_CODES_CSV = os.path.join(ROOT, "reference", "calling-codes.csv")
EMERGENCY_CSV = os.path.join(ROOT, "reference", "emergency-numbers.csv")
VERSION = phonenumbers.__version__

WARNINGS = []


def warn(msg):
    WARNINGS.append(msg)
    print("WARNING: " + msg, file=sys.stderr)


# ---------------------------------------------------------------------------
# A small enumerator over Python's regex parse tree (digits only).
# ---------------------------------------------------------------------------

DIGITS = "0123456789"
MAX_EXPANSION = 5000  # "a few thousand": beyond this a pattern counts as not expandable


class NotExpandable(Exception):
    pass


def _in_chars(items):
    chars, negate = set(), False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars.add(chr(av))
        elif op is sre_c.RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre_c.CATEGORY and av is sre_c.CATEGORY_DIGIT:
            chars.update(DIGITS)
        else:
            raise NotExpandable("unsupported class item %s" % op)
    chars &= set(DIGITS)
    if negate:
        chars = set(DIGITS) - chars
    return sorted(chars)


def _push(items, stack):
    for it in reversed(list(items)):
        stack = (it, stack)
    return stack


def gen(pattern, prefix="", stop_at=None, maxlen=20, bounded=False):
    """Yield (string, complete) for the strings `pattern` fully matches.

    Only strings consistent with `prefix` are produced (pruned as they grow).
    With `stop_at`, a string that reaches that length is yielded at once with
    complete=False (a prefix of one or more matches). With `bounded`, an
    unbounded repeat (`*`, `+`, `{n,}`) raises NotExpandable.
    """
    tree = sre_parse.parse(pattern)
    plen = len(prefix)

    def walk(stack, s):
        if stop_at is not None and len(s) >= stop_at:
            yield s, False
            return
        if stack is None:
            yield s, True
            return
        (op, av), rest = stack
        if op is sre_c.LITERAL or op is sre_c.IN or op is sre_c.ANY:
            if op is sre_c.LITERAL:
                chars = [chr(av)]
            elif op is sre_c.IN:
                chars = _in_chars(av)
            else:
                chars = list(DIGITS)
            n = len(s)
            if n >= maxlen:
                return
            for c in chars:
                if n < plen and prefix[n] != c:
                    continue
                yield from walk(rest, s + c)
        elif op is sre_c.BRANCH:
            for alt in av[1]:
                yield from walk(_push(alt, rest), s)
        elif op is sre_c.SUBPATTERN:
            yield from walk(_push(av[-1], rest), s)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) or op is getattr(sre_c, "POSSESSIVE_REPEAT", None):
            lo, hi, sub = av
            if hi is sre_c.MAXREPEAT:
                if bounded:
                    raise NotExpandable("unbounded repeat")
                hi = maxlen
            hi = min(hi, maxlen)
            for count in range(lo, hi + 1):
                yield from walk(_push(list(sub) * count, rest), s)
        elif op is getattr(sre_c, "ATOMIC_GROUP", None):
            yield from walk(_push(av, rest), s)
        elif op is sre_c.AT:  # anchors: the patterns are matched whole anyway
            yield from walk(rest, s)
        else:
            raise NotExpandable("unsupported regex node %s" % op)

    return walk(_push(tree, None), "")


def expand(pattern, limit=MAX_EXPANSION):
    """The finite set of digit strings `pattern` matches; NotExpandable if too many."""
    out = set()
    for s, _ in gen(pattern, bounded=True):
        out.add(s)
        if len(out) > limit:
            raise NotExpandable("more than %d strings" % limit)
    return out


# ---------------------------------------------------------------------------
# Calling codes
# ---------------------------------------------------------------------------

TYPE_DESCS = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
              "personal_number", "voip", "pager", "uan", "voicemail")


def region_of(cc, national):
    """region_code_for_number for +cc national, or None (also for '001')."""
    try:
        num = phonenumbers.parse("+%s%s" % (cc, national))
    except phonenumbers.NumberParseException:
        return None
    r = phonenumbers.region_code_for_number(num)
    return None if r in (None, "001", "ZZ") else r


def type_patterns(region):
    md = PhoneMetadata.metadata_for_region(region)
    pats = []
    for name in TYPE_DESCS:
        desc = getattr(md, name, None)
        if desc is not None and desc.national_number_pattern:
            pats.append(desc.national_number_pattern)
    return pats


def completions(pattern, prefix, lookahead=3, limit=400):
    """Sample national numbers matching `pattern` that start with `prefix`: one
    full match per distinct continuation `lookahead` digits past the prefix."""
    out = []
    try:
        heads = []
        for s, complete in gen(pattern, prefix=prefix, stop_at=len(prefix) + lookahead):
            if complete:
                if len(s) >= len(prefix):
                    out.append(s)
            else:
                heads.append(s)
            if len(heads) + len(out) >= limit:
                break
        for h in heads:
            for s, complete in gen(pattern, prefix=h):
                out.append(s)
                break
    except NotExpandable:
        pass
    return out


def nanp_rows():
    """1NXX -> region for every area code whose region is not US (sampled)."""
    subscribers = ["2345678", "5550123", "3456789", "7654321", "2123456",
                   "4567890", "8765432", "9876543", "6543210", "2000000"]
    rows = {}
    for n in range(2, 10):
        for xx in range(100):
            npa = "%d%02d" % (n, xx)
            region = None
            for sub in subscribers:
                region = region_of(1, npa + sub)
                if region is not None:
                    break
            if region is not None and region != "US":
                rows["1" + npa] = region
    return rows


def sample_prefixes(cc, regions, targets, prefix="", max_depth=8):
    """Prefixes (of the national number) that the library gives to one of `targets`.

    Used for regions without `leading_digits`, whose numbers libphonenumber tells
    apart only by full validation against each region's number patterns. Walks the
    digit tree: at each prefix, sample numbers from every region's own patterns
    (each distinct 3-digit continuation) and ask region_code_for_number. When all
    samples agree, the prefix is a leaf; when they disagree, descend one digit.
    This is sampling, so a range smaller than what the samples reach could be
    missed; every row is checked again by `verify_row`.
    """
    found = {}
    samples = []
    for r in regions:
        for pat in type_patterns(r):
            samples.extend(completions(pat, prefix))
    winners = collections.Counter()
    for s in set(samples):
        w = region_of(cc, s)
        if w is not None:
            winners[w] += 1
    if not winners:
        return found
    if len(winners) == 1 or len(prefix) >= max_depth:
        w = winners.most_common(1)[0][0]
        if len(winners) > 1:
            warn("+%s %s: samples resolve to %s; kept %s" % (cc, prefix, dict(winners), w))
        if w in targets:
            found[prefix] = w
        return found
    for d in DIGITS:
        found.update(sample_prefixes(cc, regions, targets, prefix + d, max_depth))
    return found


def verify_row(cc, national_prefix, region):
    """Whether region_code_for_number gives `region` for numbers under the prefix."""
    got = collections.Counter()
    for pat in type_patterns(region):
        for s in completions(pat, national_prefix, lookahead=2, limit=60):
            got[region_of(cc, s)] += 1
    return got


def calling_code_rows():
    rows = {}  # prefix -> region
    claims = collections.defaultdict(set)

    def claim(prefix, region):
        claims[prefix].add(region)

    for cc in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        regions = [r for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc] if r != "001"]
        if not regions:
            continue  # non-geographic (+800, +808, +870, +88x, +979)
        main = phonenumbers.region_code_for_country_code(cc)
        if main in (None, "001", "ZZ"):
            warn("+%d has no main region; skipped" % cc)
            continue
        claim(str(cc), main)
        if len(regions) == 1:
            continue
        if cc == 1:
            for prefix, region in nanp_rows().items():
                claim(prefix, region)
            continue
        no_leading = []
        for r in regions:
            if r == main:
                continue
            md = PhoneMetadata.metadata_for_region(r)
            if md is not None and md.leading_digits:
                try:
                    for s in expand(md.leading_digits):
                        claim("%d%s" % (cc, s), r)
                    continue
                except NotExpandable as e:
                    # Not expandable to a few thousand strings: fall back to sampling.
                    print("note: +%d %s leading_digits %r not expandable (%s); sampling"
                          % (cc, r, md.leading_digits, e))
            no_leading.append(r)
        if no_leading:
            found = sample_prefixes(cc, regions, set(no_leading))
            for s, r in found.items():
                claim("%d%s" % (cc, s), r)
            for r in no_leading:
                if r not in found.values():
                    ex = phonenumbers.example_number(r)
                    got = phonenumbers.region_code_for_number(ex) if ex else None
                    warn("+%d %s: libphonenumber gives no number to %s (its example number "
                         "%s resolves to %s); no row, it is covered by +%d,%s"
                         % (cc, r, r, ex and phonenumbers.format_number(
                             ex, phonenumbers.PhoneNumberFormat.E164), got, cc, main))

    for prefix, regions in sorted(claims.items()):
        if len(regions) == 1:
            rows[prefix] = next(iter(regions))
            continue
        cc = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        code = next(c for c in (prefix[:1], prefix[:2], prefix[:3]) if int(c) in cc)
        picks = collections.Counter()
        for r in sorted(regions):
            for pat in type_patterns(r):
                for s in completions(pat, prefix[len(code):], lookahead=2, limit=40):
                    picks[region_of(code, s)] += 1
        picks.pop(None, None)
        keep = picks.most_common(1)[0][0] if picks else sorted(regions)[0]
        warn("prefix %s claimed by %s; kept %s (region_code_for_number on samples: %s)"
             % (prefix, sorted(regions), keep, dict(picks)))
        rows[prefix] = keep

    # Check every shared-code row (NANP rows are sampled by construction).
    for prefix, region in sorted(rows.items()):
        if prefix.startswith("1") or int(prefix) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            continue
        code = next(c for c in (prefix[:1], prefix[:2], prefix[:3])
                    if int(c) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
        got = verify_row(code, prefix[len(code):], region)
        if got[region] == 0:
            warn("row %s,%s: no sample number under it resolves to %s (%s)"
                 % (prefix, region, region, dict(got)))
        elif set(got) - {region, None}:
            print("note: row %s,%s: some samples resolve elsewhere: %s" % (prefix, region, dict(got)))
    return rows


# ---------------------------------------------------------------------------
# Emergency numbers
# ---------------------------------------------------------------------------

EU_EEA = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
          "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
          "SE",  # EU 27
          "IS", "LI", "NO"]  # EEA
# National emergency services libphonenumber's short-number "emergency" class leaves out
# (it lists them as other short codes): Spain's police, Guardia Civil, health and fire
# emergency numbers reach emergency services and must never be refused (T13).
NATIONAL_ADDITIONS = [("ES", "091"), ("ES", "092"), ("ES", "062"), ("ES", "061"),
                      ("ES", "080")]
RULES = ([(r, "112") for r in EU_EEA + ["GB", "CH"]]
         + [(r, "911") for r in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]]
         + [("AU", "000")]
         + NATIONAL_ADDITIONS)


def emergency_rows():
    rows = set()
    for region in sorted(phonenumbers.SUPPORTED_SHORT_REGIONS):
        md = PhoneMetadata.short_metadata_for_region(region)
        desc = md.emergency if md is not None else None
        pat = desc.national_number_pattern if desc is not None else None
        if not pat:
            warn("%s: no emergency pattern in the short-number metadata" % region)
            continue
        try:
            numbers = expand(pat)
        except NotExpandable as e:
            warn("%s: emergency pattern %r not expandable (%s); skipped" % (region, pat, e))
            continue
        for n in numbers:
            rows.add((region, n))
    for region, number in RULES:
        if (region, number) not in rows:
            print("rule added: %s,%s" % (region, number))
            rows.add((region, number))
    return sorted(rows)


# ---------------------------------------------------------------------------

def header(columns, what):
    return ("# %s\n"
            "# Source: libphonenumber metadata via the PyPI package phonenumbers %s.\n"
            "# Generated by scripts/gen_country_tables.py, do not edit.\n"
            "%s\n") % (what, VERSION, columns)


def main():
    cc_rows = calling_code_rows()
    em_rows = emergency_rows()

    with open(CALLING_CODES_CSV, "w", newline="\n") as f:
        f.write(header("prefix,iso",
                       "E.164 digit prefix (calling code, optionally plus leading digits) -> "
                       "ISO 3166-1 alpha-2; the longest matching prefix wins."))
        for prefix in sorted(cc_rows):
            f.write("%s,%s\n" % (prefix, cc_rows[prefix]))
    with open(EMERGENCY_CSV, "w", newline="\n") as f:
        f.write(header("iso,number",
                       "Emergency short numbers per region (libphonenumber short-number "
                       "metadata), plus the terms' rules: 112 in the EU/EEA, GB and CH; "
                       "911 in every NANP region; 000 in AU; Spain's 091, 092, 062, 061, 080."))
        for region, number in em_rows:
            f.write("%s,%s\n" % (region, number))

    # Sanity checks.
    em = collections.defaultdict(set)
    for region, number in em_rows:
        em[region].add(number)

    def has(region, *numbers):
        missing = set(numbers) - em[region]
        assert not missing, "%s lacks emergency number(s) %s: %s" % (region, sorted(missing), sorted(em[region]))

    has("GB", "999", "112")
    assert not {"118", "101", "100"} & em["GB"], em["GB"]
    has("IT", "112", "113", "115", "118")
    has("AT", "144", "133", "122")
    has("CH", "144", "117", "118")
    has("ES", "112")
    for n in ("091", "061"):
        # libphonenumber's ES emergency set may not list the national police (091) or
        # the regional medical number (061): reported, not asserted, so the table stays
        # what libphonenumber and the terms say.
        if n not in em["ES"]:
            print("note: ES %s is not an emergency number in libphonenumber %s (ES: %s)"
                  % (n, VERSION, ", ".join(sorted(em["ES"]))))
    has("FR", "15", "17", "18", "112")
    has("DE", "110", "112")
    has("US", "911")
    has("AU", "000", "112")
    has("BE", "100", "101")
    has("JM", "911")
    for region, number in RULES:
        has(region, number)

    assert len(set(cc_rows)) == len(cc_rows)
    assert cc_rows.get("1876") == "JM", cc_rows.get("1876")
    assert cc_rows.get("1809") == "DO", cc_rows.get("1809")
    assert cc_rows.get("1416") == "CA", cc_rows.get("1416")
    assert "1212" not in cc_rows
    assert cc_rows.get("1") == "US"
    assert cc_rows.get("7") == "RU", cc_rows.get("7")
    assert cc_rows.get("77") == "KZ" or (cc_rows.get("76") == "KZ"), \
        {p: r for p, r in cc_rows.items() if p.startswith("7")}
    assert cc_rows.get("44") == "GB"
    assert cc_rows.get("441481") == "GG", {p: r for p, r in cc_rows.items() if p.startswith("44")}
    for prefix, region in cc_rows.items():
        assert prefix.isdigit() and len(region) == 2 and region.isupper(), (prefix, region)

    print("phonenumbers %s: %d calling-code rows, %d emergency rows, %d warning(s)"
          % (VERSION, len(cc_rows), len(em_rows), len(WARNINGS)))


if __name__ == "__main__":
    main()
