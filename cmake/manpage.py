#!/usr/bin/env python3
"""Writes the gzipped pop3-conform(1) man page with help2man.

    cmake/manpage.py --help2man PATH --include FILE.h2m --version V --output OUT.1.gz BINARY

help2man turns `BINARY --help` into the page; FILE.h2m adds fixed sections, and a SUBCOMMANDS
section is made here from `BINARY SUB --help` of every subcommand the top-level help lists.
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

# CLI11 lays an option out as "  NAME   DESCRIPTION"; a long NAME puts its description on the
# next line, indented to the description column.
ITEM = re.compile(r"^  (\S.*?)(?:\s{2,}(\S.*))?$")
CONTINUATION = re.compile(r"^\s{3,}(\S.*)$")
HEADING = re.compile(r"^(\S[^:]*):$")


def roff(text):
    """Escapes text for a roff line."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text


def run(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True, check=True)
    return result.stdout


def subcommands(binary):
    """The names listed under "Subcommands:" in the top-level help."""
    names, listing = [], False
    for line in run(binary, "--help").splitlines():
        if HEADING.match(line):
            listing = line == "Subcommands:"
        elif listing and ITEM.match(line):
            names.append(ITEM.match(line).group(1))
    return names


def section(binary, name):
    """One subcommand's help as roff: its summary, usage, then each option as a tagged
    paragraph."""
    out = [f'.SS "{name}"']
    for line in run(binary, name, "--help").splitlines():
        heading, item = HEADING.match(line), ITEM.match(line)
        continuation = CONTINUATION.match(line)
        if not line.strip():
            continue
        if heading:
            out += [".PP", f"\\fB{roff(heading.group(1))}:\\fR"]
        elif continuation and out[-1] != ".PP":
            out.append(roff(continuation.group(1)))
        elif item:
            out += [".TP", f"\\fB{roff(item.group(1))}\\fR"]
            if item.group(2):
                out.append(roff(item.group(2)))
        elif line.startswith("Usage: "):
            out += [".PP", f"Usage: \\fB{roff(line[len('Usage: '):])}\\fR"]
        else:
            out += [".PP", roff(line)]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--help2man", required=True)
    parser.add_argument("--include", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("binary")
    args = parser.parse_args()

    lines = ["[SUBCOMMANDS]"]
    for name in subcommands(args.binary):
        lines += section(args.binary, name)
    if len(lines) == 1:
        sys.exit(f"{args.binary} --help lists no subcommands")

    with tempfile.TemporaryDirectory() as tmp:
        generated = os.path.join(tmp, "subcommands.h2m")
        page = os.path.join(tmp, "pop3-conform.1")
        with open(generated, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([args.help2man, "--no-info", f"--version-string={args.version}",
                        f"--include={generated}", f"--include={args.include}",
                        f"--output={page}", args.binary], check=True)
        with open(page, "rb") as f:
            content = f.read()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    # No name or time stamp in the gzip header: the same help gives the same file.
    with open(args.output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                     filename="") as f:
        f.write(content)


if __name__ == "__main__":
    main()
