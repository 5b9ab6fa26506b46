#!/usr/bin/env python3
"""Module dependency edges of a crate's src/ (one node per file), from `crate::…`
paths in `use` statements and in code, and the cycles among them. Names re-exported
at the crate root (`pub use x::Y` in lib.rs) are resolved to the module that defines
them; lib.rs's own re-exports are not edges (a facade), but its other uses are.

Usage: scripts/orders-module-cycles.py orders/src
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "orders/src"


def module_of(path):
    rel = os.path.relpath(path, root)[:-3]
    parts = rel.split(os.sep)
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts == ["lib"]:
        return "lib"
    return "::".join(parts)


files = {}
for dirpath, _, names in os.walk(root):
    for name in names:
        if name.endswith(".rs"):
            path = os.path.join(dirpath, name)
            files[module_of(path)] = open(path).read()
modules = set(files)


def strip_tests(text):
    i = text.find("#[cfg(test)]")
    return text if i < 0 else text[:i]


def resolve(segments):
    """The longest prefix of `segments` that names a module."""
    best = None
    for n in range(1, len(segments) + 1):
        candidate = "::".join(segments[:n])
        if candidate in modules:
            best = candidate
    return best


# crate-root re-exports: name -> defining module
lib = files.get("lib", "")
reexports = {}
for block in re.findall(r"pub use ([^;]+);", lib):
    block = re.sub(r"\s+", "", block)

    def walk(prefix, tree):
        # split top-level commas
        depth, start, items = 0, 0, []
        for i, c in enumerate(tree):
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == "," and depth == 0:
                items.append(tree[start:i])
                start = i + 1
        items.append(tree[start:])
        for item in filter(None, items):
            if "{" in item:
                head, inner = item.split("{", 1)
                walk(prefix + [s for s in head.split("::") if s], inner[:-1])
            else:
                segs = prefix + item.split("::")
                name = segs[-1]
                if name == "self":
                    name, segs = segs[-2], segs[:-1]
                mod = resolve(segs)
                if mod:
                    reexports[name] = mod

    walk([], block)

# Methods of the service type, by the module whose `impl OrderService` defines them:
# `self.method(…)` in another module depends on that module as much as an import.
methods = {}
for module, text in files.items():
    for block in re.split(r"\nimpl OrderService \{", strip_tests(text))[1:]:
        end = re.search(r"\n\}", block)
        body = block[: end.start()] if end else block
        for name in re.findall(r"\n    (?:pub(?:\([^)]*\))? )?(?:async )?fn (\w+)", body):
            methods[name] = module
lib_items = set(re.findall(r"pub (?:struct|enum|const|fn|type) (\w+)", strip_tests(lib)))

edges = {m: set() for m in modules}
for module, text in files.items():
    code = strip_tests(text)
    if module == "lib":
        code = re.sub(r"pub use [^;]+;", "", code)
        code = re.sub(r"\bmod \w+;", "", code)
    # expand `use crate::{a, b::{c, d}}` and paths `crate::x::y`
    paths = []
    for block in re.findall(r"use crate::([^;]+);", code):
        block = re.sub(r"\s+", "", block)

        def walk(prefix, tree):
            depth, start, items = 0, 0, []
            for i, c in enumerate(tree):
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == "," and depth == 0:
                    items.append(tree[start:i])
                    start = i + 1
            items.append(tree[start:])
            for item in filter(None, items):
                if "{" in item:
                    head, inner = item.split("{", 1)
                    walk(prefix + [s for s in head.split("::") if s], inner[:-1])
                else:
                    paths.append(prefix + item.split("::"))

        if block.startswith("{"):
            walk([], block[1:-1])
        else:
            walk([], block)
    code_wo_use = re.sub(r"use crate::[^;]+;", "", code)
    for m in re.findall(r"(?:\$?crate)::((?:\w+::)*\w+)", code_wo_use):
        paths.append(m.split("::"))
    # `super::x` inside a directory module
    for m in re.findall(r"super::((?:\w+::)*\w+)", code):
        parent = module.rsplit("::", 1)[0] if "::" in module else ""
        segs = ([parent] if parent else []) + m.split("::")
        paths.append("::".join(segs).split("::"))
    service_code = "".join(re.split(r"\nimpl OrderService \{", code_wo_use)[1:])
    for name in re.findall(r"self\s*\.\s*(\w+)\s*\(", service_code):
        if name in methods:
            paths.append(["@method", methods[name]])
    if module == "lib":
        for name in set(re.findall(r"\b([A-Z]\w+)\b", code)):
            if name in reexports:
                paths.append([name])
    for segs in paths:
        if segs[0] == "@method":
            if segs[1] != module:
                edges[module].add(segs[1])
            continue
        if len(segs) >= 1 and segs[0] in lib_items and module != "lib":
            edges[module].add("lib")
            continue
        target = resolve(segs)
        if target is None and segs and segs[0] in reexports:
            target = reexports[segs[0]]
        if target is None and len(segs) == 1 and segs[0] in reexports:
            target = reexports[segs[0]]
        if target and target != module and not module.startswith(target + "::"):
            edges[module].add(target)

# a parent module declaring its children is not a dependency
for module in edges:
    edges[module] = {t for t in edges[module] if not t.startswith(module + "::") or t in
                     {m for m in re.findall(r"\b(\w+)::", strip_tests(files[module]))}}

for module in sorted(edges):
    print(f"{module:24} -> {', '.join(sorted(edges[module])) or '-'}")

# cycles: strongly connected components (Tarjan)
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop()
            on.discard(w)
            scc.append(w)
            if w == v:
                break
        if len(scc) > 1:
            sccs.append(sorted(scc))


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)
print()
if sccs:
    for scc in sccs:
        print("CYCLE:", " <-> ".join(scc))
    sys.exit(1)
print("no cycles among", len(edges), "modules")
