#!/usr/bin/env python3
"""run.py BIN [CAPTURE...] - -T ek against its index template.

- contrib/mailsift-template.json is what contrib/ek-template.py makes
  from BIN's field registry (regenerate it when a field is added);
- on every sample: lines come in pairs, an action line naming a
  mailsift-YYYY-MM-DD index and a document {"timestamp", "layers"};
  no object has a key twice; every key under layers is in the template,
  with a JSON value its mapping takes (long: integer, ip: address
  string, ...); the documents are as many as -T json's records, with
  the same frame numbers.
Prints "N passed, N failed"."""
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
binary = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(top, "mailsift")
captures = sys.argv[2:] or sorted(glob.glob(os.path.join(top, "samples", "*.pcap*"))
                                  + glob.glob(os.path.join(top, "samples", "hostile", "*.pcap*")))
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in " + repr(keys))
    return dict(pairs)


def fits(mapping, value):
    t = mapping["type"]
    if isinstance(value, list):
        return all(fits(mapping, v) for v in value)
    if t == "long":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "double":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "ip":
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            return False
    if t == "date_nanos":
        return isinstance(value, str) and re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", value) is not None
    return isinstance(value, str)


gen = subprocess.run([sys.executable, os.path.join(top, "contrib", "ek-template.py"), binary],
                     capture_output=True, text=True, check=True).stdout
with open(os.path.join(top, "contrib", "mailsift-template.json")) as f:
    committed = f.read()
check(gen == committed, "contrib/mailsift-template.json differs from what "
      "contrib/ek-template.py makes: run contrib/ek-template.py ./mailsift > "
      "contrib/mailsift-template.json")
tmpl = json.loads(committed)
layers = tmpl["template"]["mappings"]["properties"]["layers"]["properties"]

for cap in captures:
    name = os.path.relpath(cap, top)
    ek = subprocess.run([binary, "-r", cap, "-T", "ek"], capture_output=True, env=dict(os.environ, TZ="UTC"))
    js = subprocess.run([binary, "-r", cap, "-T", "json"], capture_output=True, env=dict(os.environ, TZ="UTC"))
    lines = ek.stdout.decode("utf-8").split("\n")
    check(lines[-1] == "", name + ": output ends with a newline")
    lines = lines[:-1]
    check(len(lines) % 2 == 0, name + ": lines come in pairs")
    bad = []
    frames = []
    for i in range(0, len(lines) - 1, 2):
        try:
            act = json.loads(lines[i], object_pairs_hook=no_dups)
            doc = json.loads(lines[i + 1], object_pairs_hook=no_dups)
        except ValueError as e:
            bad.append("line %d: %s" % (i + 1, e))
            continue
        idx = act.get("index", {}).get("_index", "")
        if list(act) != ["index"] or not re.fullmatch(r"mailsift-\d{4}-\d\d-\d\d", idx):
            bad.append("line %d: action %r" % (i + 1, act))
        if list(doc) != ["timestamp", "layers"] or not re.fullmatch(r"\d+", doc["timestamp"]):
            bad.append("line %d: document keys %r" % (i + 2, list(doc)))
            continue
        for layer, fields in doc["layers"].items():
            for key, value in fields.items():
                m = layers.get(layer, {}).get("properties", {}).get(key)
                if m is None:
                    bad.append("line %d: %s.%s not in the template" % (i + 2, layer, key))
                elif not fits(m, value):
                    bad.append("line %d: %s.%s = %r does not fit %s" % (i + 2, layer, key, value, m["type"]))
        frames.append(doc["layers"].get("frame", {}).get("frame_frame_number"))
    check(not bad, name + ": " + "; ".join(bad[:3]))
    jframes = [json.loads(l)["frame"] for l in js.stdout.decode("utf-8").splitlines()]
    check(frames == jframes, name + ": %d documents, -T json has %d records" % (len(frames), len(jframes)))

print("ek: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
