"""Per-file agreement between hadolint and Plimsoll on the DL ids both implement.

Plimsoll findings are mapped to DL ids by rule id and, for rules that cover several hadolint
rules (package managers, CMD/ENTRYPOINT/HEALTHCHECK), by the wording of their message. A file
counts for a DL id as "both", "neither", "hadolint only" or "Plimsoll only".
"""

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

# Plimsoll rule -> [(DL id, message regex or None)]
MAPPING = {
    "DKR-001": [("DL3006", r"^base image .* has no tag"), ("DL3007", r"^base image .* `latest` tag")],
    "DKR-003": [("DL3002", r"`USER ")],
    "DKR-005": [("DL3025", None)],
    "DKR-006": [("DL3020", None)],
    "DKR-007": [("DL3004", None)],
    "DKR-008": [
        ("DL3008", r"^`apt-get install`"),
        ("DL3018", r"^`apk add`"),
        ("DL3013", r"^`pip install`"),
        ("DL3016", r"^`npm install`"),
        ("DL3028", r"^`gem install`"),
        ("DL3062", r"^`go (install|get)`"),
        ("DL3033", r"^`yum install`"),
        ("DL3041", r"^`(dnf|microdnf) install`"),
        ("DL3037", r"^`zypper install`"),
    ],
    "DKR-009": [
        ("DL3009", r"^`apt-get update`"),
        ("DL3019", r"^`apk add`"),
        ("DL3042", r"^`pip install`"),
        ("DL3032", r"^`yum install`"),
        ("DL3040", r"^`(dnf|microdnf) install`"),
        ("DL3036", r"^`zypper install`"),
        ("DL3060", r"^`yarn install`"),
    ],
    "DKR-010": [
        ("DL3014", r"^`apt-get install`"),
        ("DL3030", r"^`yum install`"),
        ("DL3038", r"^`dnf install`"),
        ("DL3034", r"^`zypper install`"),
    ],
    "DKR-013": [("DL3000", None)],
    "DKR-014": [("DL3023", r"copies from the stage it is in"), ("DL3022", r"(names no stage|defined after|not defined before)")],
    "DKR-016": [("DL4000", None)],
    "DKR-017": [("DL4006", None)],
    "DKR-018": [("DL3027", None)],
    "DKR-019": [("DL4001", None)],
    "DKR-022": [("DL3015", None)],
    "DKR-023": [("DL3003", None)],
    "DKR-024": [("DL3024", None)],
    "DKR-025": [("DL3035", r"^`zypper (dist-upgrade|dup)`")],
    "DKR-026": [("DL3011", None)],
    "DKR-027": [("DL3046", None)],
    "DKR-028": [("DL4003", r"`CMD`"), ("DL4004", r"`ENTRYPOINT`"), ("DL3012", r"`HEALTHCHECK`")],
    "DKR-030": [("DL3064", None)],
}
SHARED = sorted({dl for pairs in MAPPING.values() for dl, _ in pairs})


def dockerfiles(corpus):
    out = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in sorted(filenames):
            low = name.lower()
            if low == "dockerfile" or low.startswith("dockerfile.") or low.endswith(".dockerfile"):
                out.append(os.path.join(dirpath, name))
    return out


def run_hadolint(hadolint, path):
    p = subprocess.run(
        # inline `# hadolint ignore=` pragmas are suppressions, not rule logic: compare without them
        [hadolint, "-f", "json", "--no-fail", "--disable-ignore-pragma", path],
        capture_output=True,
        text=True,
    )
    try:
        items = json.loads(p.stdout or "[]")
    except json.JSONDecodeError:
        return None, "hadolint: " + (p.stderr or p.stdout).strip()[:200]
    codes = {i["code"] for i in items}
    if "DL1000" in codes:
        return None, "hadolint cannot parse: " + next(i["message"] for i in items if i["code"] == "DL1000")[:200]
    return codes, None


def run_plimsoll(plimsoll, path):
    p = subprocess.run(
        [plimsoll, "scan", path, "--format", "json", "--no-suppressions"],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        return None, "plimsoll: " + (p.stderr or p.stdout).strip()[:200]
    codes = set()
    for f in report.get("findings", []):
        for dl, pattern in MAPPING.get(f["rule"], []):
            if pattern is None or re.search(pattern, f["message"]):
                codes.add(dl)
    return codes, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hadolint", required=True)
    ap.add_argument("--plimsoll", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()

    files = dockerfiles(a.corpus)
    if not files:
        print(f"no Dockerfiles under {a.corpus}", file=sys.stderr)
        return 2

    def both(path):
        return path, run_hadolint(a.hadolint, path), run_plimsoll(a.plimsoll, path)

    with ThreadPoolExecutor(max_workers=4) as ex:
        results = list(ex.map(both, files))

    skipped = []
    rows = {dl: {"both": [], "neither": [], "hadolint": [], "plimsoll": []} for dl in SHARED}
    compared = 0
    for path, (hl, hl_err), (pl, pl_err) in results:
        if hl is None or pl is None:
            skipped.append((path, hl_err or pl_err))
            continue
        compared += 1
        for dl in SHARED:
            h, p = dl in hl, dl in pl
            key = "both" if h and p else "hadolint" if h else "plimsoll" if p else "neither"
            rows[dl][key].append(os.path.relpath(path, a.corpus))

    print(f"hadolint agreement on {compared} Dockerfiles ({len(skipped)} skipped), {len(SHARED)} shared DL ids\n")
    print(f"{'DL id':8} {'both':>5} {'neither':>8} {'hadolint only':>14} {'plimsoll only':>14} {'agreement':>10}")
    tot_agree = tot = tot_both = tot_one = 0
    for dl in SHARED:
        r = rows[dl]
        b, n, h, p = (len(r[k]) for k in ("both", "neither", "hadolint", "plimsoll"))
        agree = (b + n) / compared if compared else 1.0
        tot_agree += b + n
        tot += compared
        tot_both += b
        tot_one += h + p
        if b + h + p == 0:
            continue
        print(f"{dl:8} {b:5} {n:8} {h:14} {p:14} {agree:9.1%}")
    silent = [dl for dl in SHARED if not (rows[dl]["both"] or rows[dl]["hadolint"] or rows[dl]["plimsoll"])]
    print(f"\n(no file triggers either tool for: {', '.join(silent)})")
    overall = tot_agree / tot if tot else 1.0
    positive = (2 * tot_both) / (2 * tot_both + tot_one) if tot_both + tot_one else 1.0
    print(f"\noverall per-file agreement: {overall:.1%} ({tot_agree} of {tot} file x rule decisions)")
    print(f"agreement on files either tool flags (Dice): {positive:.1%} ({tot_both} both, {tot_one} one only)")
    for path, err in skipped:
        print(f"skipped {os.path.relpath(path, a.corpus)}: {err}")
    if a.details:
        for dl in SHARED:
            for side in ("hadolint", "plimsoll"):
                for f in rows[dl][side]:
                    print(f"{dl} {side}-only {f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(
                {
                    "files": compared,
                    "overall": overall,
                    "dice": positive,
                    "rows": {dl: {k: len(v) for k, v in r.items()} for dl, r in rows.items()},
                },
                fh,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
