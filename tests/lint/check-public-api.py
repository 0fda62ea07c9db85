#!/usr/bin/env python3
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The `lint` test of gco's public API. Fails when:

- a public header (include/gco/*.h) includes a private header (*-private.h)
  or anything that lives under src/;
- an umbrella header (gco.h, and gco-gtk.h once it exists) misses a public
  header that belongs to it;
- a shared library (--library) exports a symbol that no public header declares;
- a function or variable declared in a public header has no availability
  macro (GCO_AVAILABLE_IN_*) in front of its declaration;
- a public function has no gi-docgen comment (`/**` then ` * name:`) in a .c
  file under src/.

Uses the standard library only, so it runs wherever meson does.
"""

import argparse
import os
import re
import subprocess
import sys

# Functions whose GType registration macro writes them, and which gi-docgen
# does not document: exempt from the doc-comment rule only.
UNDOCUMENTED_OK = re.compile(r"_get_type$")

# A declaration is public when one of these macros stands in front of it.
AVAILABILITY = re.compile(r"^GCO_(?:[A-Z0-9]+_)*(?:AVAILABLE_IN_\w+|DEPRECATED\w*|UNAVAILABLE\w*)$")

# Symbols the toolchain adds to every shared object; never gco's API.
TOOLCHAIN_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start", "_etext"}

# Macro invocations that stand at file level without a semicolon.
STANDALONE_MACROS = re.compile(
    r"^\s*(G_BEGIN_DECLS|G_END_DECLS|"
    r"G_DEFINE_AUTOPTR_CLEANUP_FUNC|G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC|"
    r"G_DEFINE_AUTO_CLEANUP_FREE_FUNC|G_GNUC_BEGIN_IGNORE_DEPRECATIONS|"
    r"G_GNUC_END_IGNORE_DEPRECATIONS)\b[^;\n]*$",
    re.M)

# G_DECLARE_FINAL_TYPE (GcoFoo, gco_foo, GCO, FOO, GObject) declares gco_foo_get_type ().
DECLARE_TYPE = re.compile(
    r"\bG_DECLARE_(?:FINAL|DERIVABLE|INTERFACE)_TYPE\s*\(\s*\w+\s*,\s*(\w+)\s*,[^)]*\)[ \t]*;?")

IDENT = re.compile(r"[A-Za-z_]\w*")
KEYWORDS = {"typedef", "struct", "union", "enum"}


class Lint:
    def __init__(self):
        self.errors = []

    def fail(self, where, message):
        self.errors.append(f"{where}: {message}")


def strip_comments(text):
    """Blanks comments (keeping newlines, so line numbers hold); keeps strings."""
    def blank(match):
        if match.group(0).startswith('"'):
            return match.group(0)
        return re.sub(r"[^\n]", " ", match.group(0))
    return re.sub(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*', blank, text, flags=re.S)


def strip_preprocessor(text):
    """Blanks preprocessor directives, including their continuation lines."""
    out = []
    continued = False
    for line in text.split("\n"):
        if continued or line.lstrip().startswith("#"):
            continued = line.rstrip().endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


def split_statements(text):
    """Splits file-level C into statements: declarations end at `;`, function
    definitions at the brace that closes their body. Yields (line, text), the
    line being that of the statement's first character."""
    depth_paren = depth_brace = 0
    start = 0

    def emit(end):
        stmt = text[start:end]
        first = start + len(stmt) - len(stmt.lstrip())
        return text.count("\n", 0, first) + 1, stmt.strip()

    for i, c in enumerate(text):
        if c == "(":
            depth_paren += 1
        elif c == ")":
            depth_paren -= 1
        elif c == "{":
            depth_brace += 1
        elif c == "}":
            depth_brace -= 1
            if depth_brace == 0 and depth_paren == 0:
                head = text[start:i].split("{", 1)[0]
                if "(" in head and "=" not in head:   # a function definition
                    yield emit(i + 1)
                    start = i + 1
        elif c == ";" and depth_paren == 0 and depth_brace == 0:
            yield emit(i + 1)
            start = i + 1
    if text[start:].strip():
        yield emit(len(text))


def parse_header(path, lint):
    """Returns the functions and variables a public header declares, as a dict
    name -> (kind, line); reports declarations without availability macro."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = strip_preprocessor(strip_comments(text))
    text = STANDALONE_MACROS.sub("", text)
    text = DECLARE_TYPE.sub(lambda m: f"GType {m.group(1)}_get_type (void);", text)

    declared = {}
    for line, body in split_statements(text):
        if not body or body == ";":
            continue
        head = body.split("{", 1)[0]
        tokens = IDENT.findall(head)
        if not tokens or tokens[0] in KEYWORDS:
            continue                      # typedefs, struct and enum definitions
        if "static" in tokens:
            continue                      # static inline helpers are not exported
        has_macro = bool(AVAILABILITY.match(tokens[0]))
        if "(" in head:
            name_match = re.search(r"(\w+)\s*\(", head)
            # A function returning a function pointer: `int (*name (args)) (...)`.
            nested = re.search(r"\(\s*\*\s*(\w+)\s*\(", head)
            name = nested.group(1) if nested else name_match.group(1)
            kind = "function"
        else:
            decl = re.sub(r"\[[^\]]*\]|=.*$", "", head.rstrip(";"), flags=re.S)
            idents = IDENT.findall(decl)
            if not idents:
                continue
            name = idents[-1]
            kind = "variable"
        if "{" in body:
            lint.fail(f"{path}:{line}", f"non-static {kind} {name} is defined in a public header")
        if not has_macro:
            lint.fail(f"{path}:{line}",
                      f"{kind} {name} has no availability macro (GCO_AVAILABLE_IN_*) "
                      f"on the line above")
        declared[name] = (kind, line)
    return declared


def includes_of(path):
    with open(path, encoding="utf-8") as f:
        text = strip_comments(f.read())
    result = []
    for number, line in enumerate(text.split("\n"), 1):
        m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
        if m:
            result.append((number, m.group(1)))
    return result


def check_includes(source_root, headers, lint):
    src_dir = os.path.join(source_root, "src")
    src_files = set()
    for root, _dirs, files in os.walk(src_dir):
        for name in files:
            src_files.add(name)
            if name.endswith(".in"):
                src_files.add(name[:-3])
    # Generated into the build directory by src/meson.build.
    src_files.add("gco-config.h")
    public = {os.path.basename(h) for h in headers}

    for header in headers:
        for number, inc in includes_of(header):
            base = os.path.basename(inc)
            where = f"{header}:{number}"
            if base.endswith("-private.h"):
                lint.fail(where, f"public header includes private header {inc}")
            elif re.search(r"(^|/)src/|(^|/)\.\./", inc):
                lint.fail(where, f"public header includes {inc} from outside include/")
            elif base in src_files and base not in public:
                lint.fail(where, f"public header includes {inc}, which lives under src/")


def belongs_to_gtk(path):
    name = os.path.basename(path)
    if name.startswith("gco-gtk"):
        return True
    with open(path, encoding="utf-8") as f:
        return "_GCO_GTK_INSIDE" in f.read()


def check_umbrellas(include_dir, headers, lint):
    umbrellas = {"gco.h": os.path.join(include_dir, "gco.h"),
                 "gco-gtk.h": os.path.join(include_dir, "gco-gtk.h")}
    if not os.path.exists(umbrellas["gco.h"]):
        lint.fail(include_dir, "the umbrella header gco.h is missing")
        return
    included = {}
    for name, path in umbrellas.items():
        if os.path.exists(path):
            included[name] = {os.path.basename(inc) for _n, inc in includes_of(path)}

    for header in headers:
        name = os.path.basename(header)
        if name in umbrellas:
            continue
        umbrella = "gco-gtk.h" if belongs_to_gtk(header) else "gco.h"
        if umbrella not in included:
            lint.fail(header, f"belongs to the umbrella header {umbrella}, which does not exist")
        elif name not in included[umbrella]:
            lint.fail(header, f"is not included by the umbrella header {umbrella}")


def exported_symbols(nm, library):
    out = subprocess.run([nm, "-D", "--defined-only", library],
                         check=True, capture_output=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 or parts[-2] not in ("T", "D", "B", "R"):
            continue
        name = parts[-1].split("@", 1)[0]
        if name in TOOLCHAIN_SYMBOLS or name.startswith("__"):
            continue                      # linker- or sanitizer-provided
        symbols.add(name)
    return symbols


def check_docs(source_root, functions, lint):
    docs = set()
    for root, _dirs, files in os.walk(os.path.join(source_root, "src")):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    docs.update(re.findall(r"/\*\*[ \t]*\n[ \t]*\*[ \t]*(\w+)[ \t]*:", f.read()))
    for name, (header, line) in sorted(functions.items()):
        if name not in docs and not UNDOCUMENTED_OK.search(name):
            lint.fail(f"{header}:{line}",
                      f"public function {name} has no gi-docgen comment "
                      f"(/**\\n * {name}:) in src/")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--library", action="append", default=[],
                        help="a built shared library whose exports to check (repeatable)")
    parser.add_argument("--nm", default="nm")
    args = parser.parse_args()

    lint = Lint()
    include_dir = os.path.join(args.source_root, "include", "gco")
    headers = sorted(os.path.join(include_dir, h) for h in os.listdir(include_dir)
                     if h.endswith(".h"))
    if not headers:
        print(f"no public headers in {include_dir}", file=sys.stderr)
        return 1

    check_includes(args.source_root, headers, lint)
    check_umbrellas(include_dir, headers, lint)

    declared = {}
    for header in headers:
        for name, (kind, line) in parse_header(header, lint).items():
            declared[name] = (kind, header, line)

    for library in args.library:
        for symbol in sorted(exported_symbols(args.nm, library) - set(declared)):
            lint.fail(library, f"exports {symbol}, which no public header declares")

    functions = {n: (h, l) for n, (k, h, l) in declared.items() if k == "function"}
    check_docs(args.source_root, functions, lint)

    n_checked = len(headers)
    if lint.errors:
        for error in lint.errors:
            print(error, file=sys.stderr)
        print(f"lint: {len(lint.errors)} problem(s) in the public API", file=sys.stderr)
        return 1
    print(f"lint: {n_checked} public headers, {len(declared)} declarations, "
          f"{len(args.library)} libraries: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
