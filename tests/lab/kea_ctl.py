"""Send a command to a Kea Control Agent of the lab from inside a container,
as a host on that network would, with or without the HA channel's
credentials. Used by the lab tests (molecule/*/tests)."""

import base64
import json
import os

# The lab's HA password: an owner-only file next to the lab's SSH key
# (tests/lab/lab-ssh.sh), which the lab inventories read.
SSH_DIR = os.environ.get("NETBOOT_LAB_SSH_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".cache", "lab-ssh"))
USER = "kea-ha"

_SCRIPT = r"""
import json, sys, urllib.request, urllib.error
url, body, auth = sys.argv[1], sys.argv[2], sys.argv[3]
headers = {"Content-Type": "application/json"}
if auth:
    headers["Authorization"] = "Basic " + auth
try:
    answer = urllib.request.urlopen(urllib.request.Request(url, data=body.encode(), headers=headers), timeout=5)
    print(json.dumps({"status": answer.status, "body": json.loads(answer.read())}))
except urllib.error.HTTPError as exc:
    print(json.dumps({"status": exc.code, "body": None}))
except OSError as exc:
    print(json.dumps({"status": 0, "body": str(exc)}))
"""


def password():
    with open(os.path.join(SSH_DIR, "kea-ha-password")) as fh:
        return fh.read()


def send(host, address, command, arguments=None, credentials="lab", port=8000):
    """POST a dhcp4 command to http://ADDRESS:PORT/ from the testinfra host.

    ``credentials``: "lab" (the lab's user and password), None (none), or a
    (user, password) pair. Returns (HTTP status, Kea's first answer or None);
    status 0 when nothing answered."""
    body = {"command": command, "service": ["dhcp4"]}
    if arguments is not None:
        body["arguments"] = arguments
    if credentials == "lab":
        credentials = (USER, password())
    auth = base64.b64encode(("%s:%s" % credentials).encode()).decode() if credentials else ""
    out = host.run("python3 -c %s %s %s %s" % tuple(
        _quote(x) for x in (_SCRIPT, "http://%s:%d/" % (address, port), json.dumps(body), auth)))
    result = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"status": 0, "body": out.stderr}
    answer = result["body"]
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    return result["status"], answer


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"
