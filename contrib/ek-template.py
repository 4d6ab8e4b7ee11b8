#!/usr/bin/env python3
"""ek-template.py [MAILSIFT] - print the OpenSearch / Elasticsearch index
template for `mailsift -T ek`, made from the field registry
(`mailsift --list-fields`): one property per field, under its layer and
with the key ek.c gives it (frame.number -> layers.frame.frame_frame_number).

    contrib/ek-template.py ./mailsift > contrib/mailsift-template.json
    curl -X PUT localhost:9200/_index_template/mailsift \\
         -H 'Content-Type: application/json' -d @contrib/mailsift-template.json

tests/ek/run.py checks that the committed file is what this prints."""
import json
import subprocess
import sys

# Free text: searched by words, with the exact value kept as .keyword.
TEXT = {"msg.text", "smtp.command_line", "smtp.response", "smtp.rsp.parameter",
        "smtp.data.fragment", "pop.request", "pop.response",
        "pop.response.description", "pop.response.data", "imf.subject",
        "telnet.typed", "imap.request", "imap.response"}


def mapping(name, ftype):
    if ftype == "unsigned":
        return {"type": "long"}
    if ftype == "boolean":
        return {"type": "boolean"}
    if ftype == "address":
        return {"type": "ip"}
    if ftype == "time":
        if name == "frame.time":
            return {"type": "date_nanos"}
        return {"type": "double"}       # seconds
    if name in TEXT:
        return {"type": "text",
                "fields": {"keyword": {"type": "keyword", "ignore_above": 1024}}}
    return {"type": "keyword", "ignore_above": 1024}


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "./mailsift"
    out = subprocess.run([binary, "--list-fields"], check=True,
                         capture_output=True, text=True).stdout
    layers = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 2:
            continue
        name, ftype = parts[0], parts[1]
        if ftype == "protocol":
            continue
        layer = name.split(".", 1)[0] if "." in name else "msg"
        key = layer + "_" + name.replace(".", "_")
        layers.setdefault(layer, {})[key] = mapping(name, ftype)
    layers.setdefault("msg", {})["msg_text_encoding"] = {"type": "keyword"}
    props = {layer: {"properties": fields} for layer, fields in layers.items()}
    template = {
        "index_patterns": ["mailsift-*"],
        "priority": 100,
        "template": {
            "settings": {"index.mapping.total_fields.limit": 2000},
            "mappings": {
                "dynamic": False,
                "properties": {
                    "timestamp": {"type": "date", "format": "epoch_millis"},
                    "layers": {"properties": props},
                },
            },
        },
        "_meta": {"description": "mailsift -T ek records (contrib/ek-template.py)"},
    }
    json.dump(template, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
