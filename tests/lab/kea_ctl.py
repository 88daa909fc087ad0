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

# The TLS files the kea role writes on a peer (kea_ha_tls_*).
PEER_TLS = ("/etc/kea/netboot-ha-ca.pem", "/etc/kea/netboot-ha-cert.pem", "/etc/kea/netboot-ha-key.pem")

_SCRIPT = r"""
import json, ssl, sys, urllib.request, urllib.error
url, body, auth, ca, cert, key = sys.argv[1:7]
headers = {"Content-Type": "application/json"}
if auth:
    headers["Authorization"] = "Basic " + auth
context = None
if ca:
    context = ssl.create_default_context(cafile=ca)
    # As Kea checks certificates (OpenSSL's checks), not Python 3.13's stricter default.
    context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    if cert:
        context.load_cert_chain(cert, key)
try:
    answer = urllib.request.urlopen(urllib.request.Request(url, data=body.encode(), headers=headers), timeout=5,
                                    context=context)
    print(json.dumps({"status": answer.status, "body": json.loads(answer.read())}))
except urllib.error.HTTPError as exc:
    print(json.dumps({"status": exc.code, "body": None}))
except OSError as exc:
    print(json.dumps({"status": 0, "body": str(exc)}))
"""


def password():
    with open(os.path.join(SSH_DIR, "kea-ha-password")) as fh:
        return fh.read()


def send(host, address, command, arguments=None, credentials="lab", port=8000, tls="auto"):
    """POST a dhcp4 command to http(s)://ADDRESS:PORT/ from the testinfra host.

    ``credentials``: "lab" (the lab's user and password), None (none), or a
    (user, password) pair. ``tls``: "auto" (https with the host's own TLS
    files of the kea role where it has them, else http), None (http), or
    (CA file, certificate file or None, key file or None) on the host.
    Returns (HTTP status, Kea's first answer or None); status 0 when nothing
    answered (the text of the error instead of the answer)."""
    if tls == "auto":
        tls = PEER_TLS if host.file(PEER_TLS[0]).exists else None
    body = {"command": command, "service": ["dhcp4"]}
    if arguments is not None:
        body["arguments"] = arguments
    if credentials == "lab":
        credentials = (USER, password())
    auth = base64.b64encode(("%s:%s" % credentials).encode()).decode() if credentials else ""
    out = host.run("python3 -c %s %s %s %s %s %s %s" % tuple(
        _quote(x) for x in (_SCRIPT, "%s://%s:%d/" % ("https" if tls else "http", address, port), json.dumps(body), auth,
                            *[(tls or ("", "", ""))[i] or "" for i in range(3)])))
    result = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"status": 0, "body": out.stderr}
    answer = result["body"]
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    return result["status"], answer


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"
