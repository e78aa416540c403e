#!/usr/bin/env python3
"""Writes the third-party notices of the program as built for a target, from Cargo.lock.

    scripts/third-party-notices.py [--target x86_64-pc-windows-gnu] > THIRD-PARTY-NOTICES.txt

Every crate the program links for that target (the normal dependencies reachable from
cutover-log, as `cargo metadata --locked --filter-platform TARGET` resolves them; build
scripts and test-only crates are not shipped), each with its version, its licence expression
and the licence texts it ships (LICENSE*, LICENCE*, COPYING*, NOTICE*, read from Cargo's
source cache; a text shared by many crates is printed once and referred to), then the font
embedded in the PDF reports. Stops with an error if a crate declares no licence at all.
Offline: the sources are already there after a build.
"""

import argparse
import hashlib
import json
import pathlib
import subprocess
import sys

LICENCE_PREFIXES = ("license", "licence", "copying", "notice", "unlicense")


def metadata(target):
    out = subprocess.run(
        ["cargo", "metadata", "--locked", "--format-version", "1", "--filter-platform", target],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


# C libraries compiled into the program although Cargo sees them only as build steps or
# sub-folders of a crate: (crate, file inside it, what the text is).
VENDORED_C = [
    ("libsqlite3-sys", "sqlcipher/LICENSE", "SQLCipher (the encrypted SQLite compiled in)"),
    ("openssl-src", "openssl/LICENSE.txt", "OpenSSL (compiled in for SQLCipher's encryption)"),
]


def shipped(meta):
    """The packages reachable from the root through normal (not build, not dev) edges, and
    the vendored-source crates (`*-src`) whose C code is compiled in by a build script."""
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    seen, todo = set(), [(root, True)]
    while todo:
        pid, expand = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        if not expand:
            continue  # a vendored source: its own dependencies are build tools
        for dep in nodes[pid]["deps"]:
            kinds = [k["kind"] for k in dep["dep_kinds"]]
            if None in kinds:
                todo.append((dep["pkg"], True))
            elif "build" in kinds and dep["name"].endswith("_src"):
                todo.append((dep["pkg"], False))
    seen.discard(root)
    packages = {p["id"]: p for p in meta["packages"]}
    return sorted((packages[i] for i in seen), key=lambda p: (p["name"].lower(), p["version"]))


def licence_files(package):
    folder = pathlib.Path(package["manifest_path"]).parent
    named = [package["license_file"]] if package.get("license_file") else []
    files = [folder / n for n in named]
    files += sorted(
        f for f in folder.iterdir()
        if f.is_file() and f.name.lower().startswith(LICENCE_PREFIXES) and f not in files
    )
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="x86_64-pc-windows-gnu")
    args = parser.parse_args()
    meta = metadata(args.target)
    packages = shipped(meta)
    out = sys.stdout
    out.write("Third-party notices for Cutover Log\n")
    out.write("=" * 35 + "\n\n")
    out.write(
        f"Cutover Log ({args.target}) contains the following {len(packages)} open-source Rust crates,\n"
        "listed with their licences as their authors declare them, then the font embedded in its PDF\n"
        "reports. Each licence text follows its crate, or is referred to where an earlier crate\n"
        "shipped the same text.\n\n"
    )
    printed = {}
    missing = []
    for p in packages:
        expression = p.get("license") or ("see " + p["license_file"] if p.get("license_file") else "")
        if not expression:
            missing.append(f'{p["name"]} {p["version"]}')
        out.write("-" * 78 + "\n")
        out.write(f'{p["name"]} {p["version"]}\n')
        out.write(f"Licence: {expression}\n")
        if p.get("repository"):
            out.write(f'Source: {p["repository"]}\n')
        for f in licence_files(p):
            text = f.read_text(encoding="utf-8", errors="replace").strip()
            digest = hashlib.sha256(text.encode()).hexdigest()
            if digest in printed:
                out.write(f"{f.name}: the same text as {printed[digest]} above.\n")
                continue
            printed[digest] = f'{p["name"]} {p["version"]} ({f.name})'
            out.write(f"\n{f.name}:\n\n{text}\n")
        out.write("\n")
    by_name = {p["name"]: p for p in packages}
    for crate, inner, what in VENDORED_C:
        p = by_name.get(crate)
        if p is None:
            continue
        f = pathlib.Path(p["manifest_path"]).parent / inner
        out.write("-" * 78 + "\n")
        out.write(f'{what}, from {p["name"]} {p["version"]}\n\n')
        out.write(f.read_text(encoding="utf-8", errors="replace").strip() + "\n\n")
    fonts = pathlib.Path(__file__).resolve().parent.parent / "assets" / "fonts"
    out.write("-" * 78 + "\n")
    out.write("Liberation Sans (embedded in the PDF reports)\nLicence: OFL-1.1\n\n")
    out.write((fonts / "LICENSE-LiberationSans.txt").read_text(encoding="utf-8").strip() + "\n")
    if missing:
        sys.exit("no licence declared by: " + ", ".join(missing))


if __name__ == "__main__":
    main()
