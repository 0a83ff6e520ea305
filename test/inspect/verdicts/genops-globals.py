"""Imports of pickle streams per CPython's pickletools.genops (which only parses; nothing is executed).

Reads a JSON list of hex streams on stdin; prints a JSON list of {"ok": bool, "globals": ["module name", ...]}.
The stack is simulated from pickletools' own opcode metadata (stack_before / stack_after), tracking only strings
and the memo, so a STACK_GLOBAL's module and name are known even when they come back from the memo.
"""
import io
import json
import pickletools
import sys

MARK = pickletools.markobject
STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "STRING", "BINSTRING", "SHORT_BINSTRING"}


class Opaque:
    pass


def imports(data):
    stack, memo, found = [], {}, []
    for op, arg, _pos in pickletools.genops(io.BytesIO(data)):
        name = op.name
        if name in STRING_OPS:
            stack.append(arg if isinstance(arg, str) else arg.decode("ascii"))  # pickle's default encoding
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[arg])
        elif name == "GLOBAL":
            found.append(arg)
            stack.append(Opaque())
        elif name == "STACK_GLOBAL":
            n, m = stack.pop(), stack.pop()
            if not isinstance(n, str) or not isinstance(m, str):
                raise ValueError("STACK_GLOBAL requires str")
            found.append(f"{m} {n}")
            stack.append(Opaque())
        elif name == "DUP":
            stack.append(stack[-1])
        elif name == "MARK":
            stack.append(MARK)
        elif name == "STOP":
            return found
        else:
            before = op.stack_before
            if MARK in before:
                while stack.pop() is not MARK:
                    pass
                before = before[: before.index(MARK)]
            for _ in before:
                stack.pop()
            for _ in op.stack_after:
                stack.append(Opaque())
    raise ValueError("no STOP")


out = []
for h in json.load(sys.stdin):
    try:
        out.append({"ok": True, "globals": imports(bytes.fromhex(h))})
    except Exception:  # noqa: BLE001 — any parse failure is "not comparable"
        out.append({"ok": False, "globals": []})
json.dump(out, sys.stdout)
