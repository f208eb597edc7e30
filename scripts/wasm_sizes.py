#!/usr/bin/env python3
"""Code bytes of a wasm module by the Rust module its functions belong to.

Reads the function bodies (code section) and their names (the `name` section, which the release
build keeps before wasm-opt strips it) of a wasm file, and sums the bodies' sizes for each path
given, matched against the mangled names (`ecsplay::iam` is `7ecsplay3iam`). A function goes to
the first path it names; the rest is "other" (the standard library, serde, Yew, and code generic
over a crate's types, which carries the names of the crates it comes from).

    python3 scripts/wasm_sizes.py target/wasm32-unknown-unknown/release/ecsplay-web.wasm \
        ecsplay::iam,ecsplay::logs,ecsplay::efs,ecsplay

The README's bundle breakdown comes from this, after `make build`.
"""

import collections
import sys


def leb(data, pos):
    """An unsigned LEB128 number at `pos`, and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def skip_limits(data, pos):
    flags = data[pos]
    _, pos = leb(data, pos + 1)
    if flags & 1:
        _, pos = leb(data, pos)
    return pos


def imported_functions(data, pos):
    """How many functions the import section imports (they come first in the index space)."""
    count, pos = leb(data, pos)
    functions = 0
    for _ in range(count):
        for _ in range(2):  # module and field names
            length, pos = leb(data, pos)
            pos += length
        kind = data[pos]
        pos += 1
        if kind == 0:  # function: its type index
            _, pos = leb(data, pos)
            functions += 1
        elif kind == 1:  # table: element type, limits
            pos = skip_limits(data, pos + 1)
        elif kind == 2:  # memory: limits
            pos = skip_limits(data, pos)
        elif kind == 3:  # global: value type, mutability
            pos += 2
        elif kind == 4:  # tag: attribute, type index
            _, pos = leb(data, pos + 1)
    return functions


def read(path):
    data = open(path, "rb").read()
    pos, imports, bodies, names = 8, 0, [], {}
    while pos < len(data):
        section = data[pos]
        size, pos = leb(data, pos + 1)
        end = pos + size
        if section == 2:
            imports = imported_functions(data, pos)
        elif section == 10:
            count, p = leb(data, pos)
            for _ in range(count):
                length, p = leb(data, p)
                bodies.append(length)
                p += length
        elif section == 0:
            length, p = leb(data, pos)
            if data[p : p + length] == b"name":
                p += length
                while p < end:
                    sub = data[p]
                    sub_size, p = leb(data, p + 1)
                    if sub == 1:  # function names
                        count, q = leb(data, p)
                        for _ in range(count):
                            index, q = leb(data, q)
                            length, q = leb(data, q)
                            names[index] = data[q : q + length].decode("utf8", "replace")
                            q += length
                    p += sub_size
        pos = end
    return imports, bodies, names


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    imports, bodies, names = read(sys.argv[1])
    if not names:
        sys.exit("no function names: give the wasm before wasm-opt (target/.../release/*.wasm)")
    paths = sys.argv[2].split(",")
    mangled = {p: "".join(f"{len(s)}{s}" for s in p.split("::")) for p in paths}
    sums = collections.Counter()
    for index, size in enumerate(bodies):
        name = names.get(index + imports, "")
        group = next((p for p in paths if mangled[p] in name), "other")
        sums[group] += size
    total = sum(bodies)
    for group, size in sums.most_common():
        print(f"{size:9d} B {size * 100 / total:5.1f}%  {group}")
    print(f"{total:9d} B in all, {len(bodies)} functions")


if __name__ == "__main__":
    main()
