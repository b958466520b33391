#!/usr/bin/env python3
"""Generate reference/number-zones.csv: E.164 digit prefix -> IANA time zones (and state).

The messaging quiet-hours rule (RULEBOOK M4) needs, for a recipient's E.164 number, the
time zone(s) the number may be in and, for NANP numbers in the US and Canada, the state or
province. The consumer takes the longest prefix of the number's digits (no '+') that has a
row.

Source: libphonenumber's metadata, through the PyPI package `phonenumbers` (the Python
port of libphonenumber): its time-zone table `phonenumbers.tzdata.TIMEZONE_DATA`
(prefix -> tuple of zones) and its geocoder data (`phonenumbers.geodata`, the tables behind
`phonenumbers.geocoder.description_for_number`). Run by hand; the output is committed and
nothing is downloaded at build or run time:

    pip install phonenumbers==<version in the CSV header>
    python3 scripts/gen_number_zones.py

Uses only the standard library and `phonenumbers`.

number-zones.csv (`prefix,zones,region`; zones sorted and joined with ';'):
  * NANP (cc 1): one row `1NXX,<zones>,<region>` per area code, and no longer NANP rows.
    The zones are the UNION of the zones of the area-code row and of every longer prefix
    under that area code in TIMEZONE_DATA. This is deliberate: the rule says a number whose
    area spans several zones must be inside the window in all of them, so area-code
    granularity with the union is what the rule needs (1208 Idaho gets
    America/Boise;America/Denver;America/Los_Angeles: libphonenumber gives Idaho's
    Mountain-time prefixes either Boise or Denver), and it keeps the table small.
    The bare `1` row is not emitted: it lists every NANP zone, so a number under an area
    code without a row gets no zone, and the consumer treats that as unknown.
    The region is the ISO 3166-2 code of the state or province (`US-TX`, `CA-ON`) for US
    and Canadian area codes, and `US-PR`, `US-GU`, `US-VI`, `US-MP`, `US-AS` for the US
    territories (from region_code_for_number on a sample number). The state is the one
    the geocoder description of the area code itself names ("Texas"; without one, that of
    a valid sample number); when that names no single state, the descriptions of the
    prefixes under it ("Dallas, TX") decide if they all name the same one. A US or
    Canadian area code whose descriptions name no state or several (1867 "Northwest
    Territories/Nunavut/Yukon") gets an empty region and a warning. Area codes of other
    NANP countries (1876 Jamaica ...) get an empty region.
  * other country codes: one row per calling code, its zones the union of every
    TIMEZONE_DATA row under it, region empty. libphonenumber's finer prefixes hold only for
    geographic numbers (its own time_zones_for_number answers mobiles with the calling
    code's row), and a mobile number says nothing about where in the country its holder
    is: the M4 rule then requires every zone of the country (7 -> all of Russia's).
  Rows whose zones are only `Etc/Unknown` are skipped (the consumer then falls back to a
  shorter prefix).
"""

import collections
import os
import re
import sys

import phonenumbers
from phonenumbers import geocoder
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.timezone import UNKNOWN_TIMEZONE
from phonenumbers.tzdata import TIMEZONE_DATA
import tzdata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER_ZONES_CSV = os.path.join(ROOT, "reference", "number-zones.csv")
VERSION = phonenumbers.__version__

WARNINGS = []


def warn(msg):
    WARNINGS.append(msg)
    print("WARNING: " + msg, file=sys.stderr)


# ---------------------------------------------------------------------------
# State and province names (as libphonenumber's geocoder spells them) -> ISO 3166-2.
# For the US and Canada the ISO 3166-2 subdivision code is the postal abbreviation, which
# the geocoder uses in its "City, ST" descriptions.
# ---------------------------------------------------------------------------

US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL",
    "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN",
    "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME",
    "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH",
    "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI",
    "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
    "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
    "District of Columbia": "DC",
    # Territories (ISO 3166-2:US lists them as outlying areas).
    "Puerto Rico": "PR", "Guam": "GU", "U.S. Virgin Islands": "VI",
    "United States Virgin Islands": "VI", "Northern Mariana Islands": "MP",
    "American Samoa": "AS",
    # The geocoder's own spellings.
    "Washington State": "WA", "Washington D.C.": "DC", "Washington DC": "DC",
}
CA_PROVINCES = {
    "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Ontario": "ON",
    "Prince Edward Island": "PE", "Quebec": "QC", "Saskatchewan": "SK",
    "Northwest Territories": "NT", "Nunavut": "NU", "Yukon": "YT",
    # The geocoder's own spellings.
    "Québec": "QC", "British Colombia": "BC", "Newfoundland": "NL",
}
NAME_TO_ISO = dict([(n, "US-" + c) for n, c in US_STATES.items()]
                   + [(n, "CA-" + c) for n, c in CA_PROVINCES.items()])
ISO_CODES = set(NAME_TO_ISO.values())
# NANP regions whose area codes get a region: region_code_for_number -> ISO 3166-2 prefix,
# or the code itself for the US territories (which libphonenumber treats as regions).
US_TERRITORIES = {"PR": "US-PR", "GU": "US-GU", "VI": "US-VI", "MP": "US-MP", "AS": "US-AS"}
STATE_REGIONS = {"US", "CA"} | set(US_TERRITORIES)

CITY_STATE = re.compile(r"^.+, ([A-Z]{2})$")


def iso_of_description(desc, country):
    """ISO 3166-2 codes a geocoder description names ("Texas", "Dallas, TX",
    "Nova Scotia/Prince Edward Island"); an empty set when it names none."""
    if not desc:
        return set()
    if desc in NAME_TO_ISO:
        return {NAME_TO_ISO[desc]}
    m = CITY_STATE.match(desc)
    if m:
        code = "%s-%s" % (country, m.group(1))
        return {code} if code in ISO_CODES else set()
    if "/" in desc:
        parts = [NAME_TO_ISO.get(p.strip()) for p in desc.split("/")]
        if all(parts):
            return set(parts)
    return set()


# ---------------------------------------------------------------------------
# Sample numbers
# ---------------------------------------------------------------------------

SUBSCRIBERS = ["5550100", "2345678", "3456789", "5550123", "7654321", "2123456",
               "4567890", "8765432", "9876543", "6543210", "2000000", "6330000"]


def sample(area):
    """(region_code_for_number, description_for_number, number) for the first valid sample
    number in the NANP area code `area` ('1NXX'), else for the first one that parses."""
    first = None
    for sub in SUBSCRIBERS:
        try:
            num = phonenumbers.parse("+%s%s" % (area, sub))
        except phonenumbers.NumberParseException:
            continue
        if first is None:
            first = num
        if phonenumbers.is_valid_number(num):
            return (phonenumbers.region_code_for_number(num),
                    geocoder.description_for_number(num, "en"), num)
    if first is None:
        return None, "", None
    return phonenumbers.region_code_for_number(first), "", first


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

def clean(zones):
    """Sorted zones without Etc/Unknown (an empty list when only Etc/Unknown)."""
    return sorted(set(zones) - {UNKNOWN_TIMEZONE})


def nanp_rows():
    """1NXX -> (zones, region) for every area code TIMEZONE_DATA knows."""
    zones = collections.defaultdict(set)
    for prefix, zs in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            zones[prefix[:4]].update(zs)
    # Geocoder descriptions under each area code (the area code's own and sub-prefixes').
    geo = collections.defaultdict(list)
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4 and prefix[:4] in zones:
            geo[prefix[:4]].append((prefix, names.get("en", "")))

    rows = {}
    skipped = []
    no_region = []
    for area in sorted(zones):
        assert re.match(r"^1[2-9]\d\d$", area), area
        zs = clean(zones[area])
        if not zs:
            skipped.append(area)
            continue
        region_code, sample_desc, num = sample(area)
        if region_code not in STATE_REGIONS:
            if region_code in (None, "ZZ", "001"):
                warn("%s: no region for any sample number; region left empty" % area)
            rows[area] = (zs, "")
            continue
        if region_code in US_TERRITORIES:
            rows[area] = (zs, US_TERRITORIES[region_code])
            continue
        # The area code's own description decides ("Texas"); without one, that of a valid
        # sample number. The sub-prefixes' descriptions ("Dallas, TX") are a check, and
        # decide only when the area code's own names no single state, if they all agree.
        own = GEOCODE_DATA.get(area, {}).get("en") or sample_desc
        own_codes = iso_of_description(own, region_code)
        found = collections.defaultdict(list)  # ISO code -> descriptions naming it
        descs = [(area + " sample", sample_desc)] if sample_desc else []
        for prefix, desc in descs + sorted(geo[area]):
            codes = iso_of_description(desc, region_code)
            for c in codes:
                found[c].append("%s %r" % (prefix, desc))
            if not codes and desc:
                print("note: %s (%s): description names no state: %s %r"
                      % (area, region_code, prefix, desc))
        if len(own_codes) == 1:
            code = next(iter(own_codes))
            for c, v in sorted(found.items()):
                if c != code:
                    print("note: %s (%s) is %s (%r) but %d description(s) under it name %s: %s"
                          % (area, region_code, code, own, len(v), c, ", ".join(v)))
            rows[area] = (zs, code)
        elif len(found) == 1 and not own_codes:
            rows[area] = (zs, next(iter(found)))
        else:
            if not found:
                why = "no description names a state (sample %s: %r)" % (
                    num and phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                    sample_desc)
            else:
                why = "descriptions name %s" % "; ".join(
                    "%s (%s%s)" % (c, ", ".join(v[:3]), ", ..." if len(v) > 3 else "")
                    for c, v in sorted(found.items()))
            warn("%s (%s): %s; region left empty" % (area, region_code, why))
            no_region.append(area)
            rows[area] = (zs, "")
    return rows, skipped, no_region


def read_zone_tab():
    """ISO 3166 region -> its zones, from the tz database's zone.tab in the PyPI package
    `tzdata` (the version is printed in the CSV header)."""
    path = os.path.join(os.path.dirname(tzdata.__file__), "zoneinfo", "zone.tab")
    out = collections.defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            out[cols[0]].add(cols[2])
    return out


ZONE_TAB = read_zone_tab()


def other_rows():
    """One row per non-NANP calling code: the union of the zones of every TIMEZONE_DATA
    row under it, minus Etc/Unknown. Finer prefixes are not emitted: libphonenumber itself
    uses them only for geographic numbers, and a mobile number says nothing about where in
    its country the holder is, so the M4 rule ("allowed in all of them") takes the country's
    zones."""
    rows = {}
    skipped = []
    for cc in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        if cc == 1:
            continue
        code = str(cc)
        zs = set()
        for prefix, z in TIMEZONE_DATA.items():
            if prefix.startswith(code):
                zs.update(clean(z))
        # libphonenumber's zone for a country is sometimes a neighbour's with another offset
        # or DST (Algeria -> Europe/Paris, Morocco -> Atlantic/Canary) or misses one
        # (Kaliningrad under 7): add the country's own zones from the tz database.
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc]:
            zs.update(ZONE_TAB.get(region, ()))
        if zs:
            rows[code] = (sorted(zs), "")
        else:
            skipped.append(code)
    return rows, skipped


# ---------------------------------------------------------------------------

def main():
    nanp, nanp_skipped, no_region = nanp_rows()
    other, other_skipped = other_rows()
    rows = dict(other)
    rows.update(nanp)
    assert len(rows) == len(nanp) + len(other)

    with open(NUMBER_ZONES_CSV, "w", newline="\n") as f:
        f.write("# generated by scripts/gen_number_zones.py from phonenumbers %s "
                "(libphonenumber metadata) and tzdata %s (zone.tab); do not edit\n"
                % (VERSION, tzdata.IANA_VERSION))
        f.write("prefix,zones,region\n")
        for prefix in sorted(rows):
            zs, region = rows[prefix]
            f.write("%s,%s,%s\n" % (prefix, ";".join(zs), region))

    # Sanity checks.
    def zones(prefix):
        return rows[prefix][0]

    def region(prefix):
        return rows[prefix][1]

    assert "1" not in rows
    assert not [p for p in rows if p.startswith("1") and len(p) != 4]
    assert zones("1214") == ["America/Chicago"] and region("1214") == "US-TX", rows.get("1214")
    assert "America/Denver" in zones("1915") and region("1915") == "US-TX", rows.get("1915")
    assert zones("1305") == ["America/New_York"] and region("1305") == "US-FL", rows.get("1305")
    assert region("1410") == "US-MD", rows.get("1410")
    assert region("1617") == "US-MA", rows.get("1617")
    assert region("1405") == "US-OK", rows.get("1405")
    assert region("1502") == "US-KY", rows.get("1502")
    assert zones("1416") == ["America/Toronto"] and region("1416") == "CA-ON", rows.get("1416")
    # Idaho spans Mountain and Pacific time. libphonenumber gives its Mountain-time
    # prefixes America/Boise or America/Denver, so the union holds both of those too.
    assert {"America/Boise", "America/Los_Angeles"} <= set(zones("1208")), rows.get("1208")
    assert region("1208") == "US-ID", rows.get("1208")
    assert "1876" in rows and region("1876") == "", rows.get("1876")
    assert zones("33") == ["Europe/Paris"], rows.get("33")
    assert "Europe/London" in zones("44"), rows.get("44")
    assert "Europe/Berlin" in zones("49"), rows.get("49")
    assert "Africa/Algiers" in zones("213") and "Africa/Casablanca" in zones("212"), rows.get("213")
    assert "Europe/Kaliningrad" in zones("7"), rows.get("7")
    assert len(zones("61")) > 1, rows.get("61")
    for prefix, (zs, reg) in rows.items():
        assert prefix.isdigit() and zs and zs == sorted(set(zs)), (prefix, zs)
        assert UNKNOWN_TIMEZONE not in zs and all("," not in z and ";" not in z for z in zs)
        assert reg == "" or reg in ISO_CODES, (prefix, reg)
        assert reg == "" or reg.startswith(("US-", "CA-")), (prefix, reg)
        assert reg == "" or prefix.startswith("1"), (prefix, reg)

    with_region = sum(1 for zs, reg in nanp.values() if reg)
    print("phonenumbers %s: %d rows (%d NANP area codes, %d with a region; %d other prefixes); "
          "%d Etc/Unknown-only prefixes skipped"
          % (VERSION, len(rows), len(nanp), with_region, len(other),
             len(nanp_skipped) + len(other_skipped)))
    print("US/CA area codes without a region: %s" % (", ".join(no_region) or "none"))
    print("%d warning(s)" % len(WARNINGS))


if __name__ == "__main__":
    main()
