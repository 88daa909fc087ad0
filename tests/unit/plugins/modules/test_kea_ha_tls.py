"""kea_ha's TLS client (the role's own calls to the pair's listeners) checks
the listener's certificate as Kea checks its partner's: against the pair's
CA, with OpenSSL's checks, not Python 3.13's stricter default
(VERIFY_X509_STRICT), which refuses a CA certificate without a key usage
extension. Such a CA (what `openssl req -x509` makes without -addext, as the
lab's tests/lab/lab-ssh.sh does) is accepted by Kea; on Debian 13 (Python
3.13) the role found its own listener unreachable while the two servers
talked. A real TLS server on 127.0.0.1 here, certificates made by openssl."""

import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.modules.kea_ha import Channel, tls_context


def openssl(folder, *args):
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA without key usage, a server certificate for 127.0.0.1 and a client certificate, as the lab makes them."""
    d = tmp_path_factory.mktemp("pki")
    openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=pair CA", "-keyout", "CA.key", "-out", "CA.pem")
    for name in ("server", "client"):
        openssl(d, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                "-keyout", name + ".key", "-out", name + ".csr")
        (d / (name + ".ext")).write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
        openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", "CA.pem", "-CAkey", "CA.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".pem")
    assert b"Key Usage" not in subprocess.run(["openssl", "x509", "-in", str(d / "CA.pem"), "-noout", "-text"],
                                              capture_output=True, check=True).stdout.split(b"X509v3 Basic")[0]
    return d


class Answer(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        data = json.dumps([{"result": 0, "arguments": {"command": body["command"], "client": self.connection.getpeercert()["subject"]}}])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def log_message(self, *args):
        pass


@pytest.fixture()
def listener(pki):
    """An https listener that asks for a client certificate the pair's CA signed, as Kea's does."""
    server = HTTPServer(("127.0.0.1", 0), Answer)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(pki / "server.pem"), str(pki / "server.key"))
    ctx.load_verify_locations(str(pki / "CA.pem"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "https://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_channel_reaches_a_listener_whose_ca_has_no_key_usage(pki, listener):
    channel = Channel({"ca_file": str(pki / "CA.pem"), "cert_file": str(pki / "client.pem"), "key_file": str(pki / "client.key")})
    answer = channel.send(listener, "ha-heartbeat")
    assert answer["result"] == 0 and answer["arguments"]["command"] == "ha-heartbeat"
    # The listener saw this peer's certificate.
    assert [["commonName", "client"]] in answer["arguments"]["client"]


def test_strict_checking_is_what_refuses_that_ca(pki, listener):
    """The control: the same context with VERIFY_X509_STRICT, Python 3.13's default, fails the handshake."""
    context = tls_context(str(pki / "CA.pem"), str(pki / "client.pem"), str(pki / "client.key"))
    assert not context.verify_flags & ssl.VERIFY_X509_STRICT
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    channel = Channel()
    channel.options["context"] = context
    with pytest.raises(Exception, match="key usage|CERTIFICATE_VERIFY_FAILED"):
        channel.send(listener, "ha-heartbeat")
