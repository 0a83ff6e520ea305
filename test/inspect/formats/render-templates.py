"""Render chat-template fixtures with the real Jinja2 (Debian's python3-jinja2) and print what each produced.

Used by chat-template-shapes.test.ts to show that every malicious fixture really reaches a Python internal when a
runtime renders it with a plain `jinja2.Environment` (as llama-cpp-python did before CVE-2024-34359). The payloads
are our own and only print objects; nothing is called that touches the system. Prints one JSON object per line.
"""
import json
import sys

from jinja2 import Environment

MESSAGES = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]


def raise_exception(message):
    """What transformers adds to the template globals."""
    raise ValueError(message)


def main():
    env = Environment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            out = env.from_string(text).render(messages=MESSAGES, tools=[], add_generation_prompt=True)
            print(json.dumps({"file": path, "out": out}))
        except Exception as e:  # a template that fails to render is reported as such
            print(json.dumps({"file": path, "error": "%s: %s" % (type(e).__name__, e)}))


if __name__ == "__main__":
    main()
