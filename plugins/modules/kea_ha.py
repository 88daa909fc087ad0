#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: kea_ha
short_description: Read and steer the HA state of a Kea DHCPv4 server pair
version_added: 1.3.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Talks to Kea's HA commands over HTTP (the Kea Control Agent, or the HA hook's dedicated listener),
    as documented in the Kea Administrator Reference Manual (libdhcp_ha.so, "Control Commands for High Availability").
  - C(state) reads the server's HA state (C(ha-heartbeat)); C(wait) polls it every 0.2 s until it is one of O(states).
  - C(maintenance) asks the partner to take over every client (C(ha-maintenance-start)). A partner whose own
    partner does not answer (this host runs no Kea yet) goes to C(partner-down) at once and answers every client.
  - C(push_leases) gives the partner (O(partner_url)) the leases clients hold in ISC dhcpd's lease file
    O(leases_from) that it lacks or holds with an earlier end (C(lease4-update)); with C(maintenance), O(leases_from)
    is pushed first. So a host moving from ISC dhcpd to Kea hands its clients to the partner's Kea with their leases.
  - C(resume_partner) waits until this server has synced its leases (state C(ready) or later). The sync pauses the
    partner, and Kea lets it answer again at the partner's next heartbeat (the kea role's heartbeat is 1 s). Before
    1.7.0 it then sent the partner C(dhcp-enable); it no longer does, since a partner resumed so while still in
    partner-down hands out leases that it sends to no one.
options:
  url:
    description:
      - This server's HA URL, for example C(http://10.4.7.9:8000/).
      - Required unless O(config) is given.
    type: str
  config:
    description:
      - The Kea DHCPv4 configuration file of the server on this host. Its HA hook's peers give O(url) and
        O(partner_url), and their credentials and TLS files (with the files it includes) give O(channel); for a
        task that must reach the partner without the kea role's settings (the dhcpd role, before Kea stops on a
        host going back to ISC dhcpd).
    type: path
    version_added: 1.7.0
  partner_url:
    description: The partner's HA URL (for C(maintenance) and C(resume_partner)).
    type: str
  action:
    description: What to do.
    type: str
    choices: [state, wait, maintenance, resume_partner, push_leases]
    default: state
  peer_names:
    description:
      - The two servers' names (their HA scopes). With C(resume_partner), the partner serves both scopes from the
        moment it leaves partner-down until this server is in the HA mode's state too (C(ha-scopes)), and its own
        scope again then. Without it, the clients of this server's scope wait for its next heartbeat.
    type: list
    elements: str
    version_added: 1.7.0
  leases_from:
    description:
      - An ISC dhcpd lease file on this host whose held leases the partner is given (C(push_leases), and
        C(maintenance) before it hands over).
    type: path
    version_added: 1.7.0
  states:
    description: The states C(wait) waits for (C(resume_partner) waits for C(ready) or these).
    type: list
    elements: str
    default: [load-balancing, hot-standby]
  timeout:
    description: Seconds to wait.
    type: int
    default: 120
  channel:
    description:
      - How to reach the Control Agents (or the dedicated listeners) of the pair, the same for O(url) and
        O(partner_url); the role passes its C(kea_ha_auth_*) and C(kea_ha_tls_*) settings here.
    type: dict
    version_added: 1.6.0
    suboptions:
      user:
        description: User name for HTTP basic authentication, where the listeners ask for it.
        type: str
      password:
        description: Password for O(channel.user). Never logged.
        type: str
      ca_file:
        description: File of the CA certificate that signed the listeners' certificates (an C(https) URL).
        type: path
      cert_file:
        description: Client certificate to present, where the listeners require one (Kea's C(cert-required)).
        type: path
      key_file:
        description: Private key of O(channel.cert_file).
        type: path
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: partial
    details: C(state) and C(wait) only read and run in check mode; C(maintenance), C(resume_partner) and C(push_leases) send nothing there.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""

EXAMPLES = r"""
- name: Wait until this Kea server is load-balancing
  netboot.dhcp_failover.kea_ha:
    url: http://10.4.7.9:8000/
    action: wait
    states: [load-balancing]

- name: The same over TLS, with the pair's credentials
  netboot.dhcp_failover.kea_ha:
    url: https://10.4.7.9:8000/
    action: wait
    states: [load-balancing]
    channel:
      user: kea-ha
      password: "{{ kea_ha_auth_password }}"
      ca_file: /etc/kea/netboot-ha-ca.pem
      cert_file: /etc/kea/netboot-ha-cert.pem
      key_file: /etc/kea/netboot-ha-key.pem
"""

RETURN = r"""
state:
  description:
    - This server's HA state at the end (C(unreachable) when it did not answer, C(unauthorized) when its Control Agent
      refused the credentials).
  type: str
  returned: always
result:
  description: Kea's result code of the command sent (C(maintenance)); 0 is success.
  type: int
  returned: when a command was sent
text:
  description: Kea's text of the command sent.
  type: str
  returned: when a command was sent
waited:
  description: Seconds waited.
  type: float
  returned: always
pushed:
  description: How many leases the partner was given (O(leases_from)).
  type: int
  returned: when O(leases_from) was read
"""

import json
import re
import ssl
import time
from urllib.error import HTTPError, URLError

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import Request, make_context

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.lease_convert import INFINITE, held, read_isc, read_kea_config

_INCLUDE = re.compile(r'<\?include\s+"([^"]+)"\s*\?>')


def from_config(path):
    """(this server's URL, the partner's URL, the channel) of the HA hook in a
    kea-dhcp4.conf, the files it includes read in place."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    for included in set(_INCLUDE.findall(text)):
        with open(included, encoding="utf-8") as fh:
            text = text.replace('<?include "%s"?>' % included, fh.read().strip())
    conf = read_kea_config(text)
    for lib in conf["Dhcp4"].get("hooks-libraries", []):
        for ha in (lib.get("parameters") or {}).get("high-availability", []):
            me = ha["this-server-name"]
            own = [peer for peer in ha["peers"] if peer["name"] == me][0]
            other = [peer for peer in ha["peers"] if peer["name"] != me and peer.get("role") != "backup"][0]
            channel = {"user": other.get("basic-auth-user"), "password": other.get("basic-auth-password"),
                       "ca_file": ha.get("trust-anchor"), "cert_file": ha.get("cert-file"), "key_file": ha.get("key-file")}
            return own["url"], other["url"], channel
    raise ValueError("%s has no high-availability hook" % path)


def tls_context(ca_file, cert_file, key_file):
    """The TLS client settings of the HA channel: the pair's CA only, this
    peer's certificate, and the checks Kea itself makes of its partner's
    certificate (OpenSSL's). Not Python 3.13's stricter default
    (VERIFY_X509_STRICT), which refuses a CA certificate without a key usage
    extension that Kea accepts: on Debian 13 the role would then find its own
    listener unreachable while the two servers talk."""
    context = make_context(cafile=ca_file, client_cert=cert_file, client_key=key_file)
    context.verify_flags &= ~getattr(ssl, "VERIFY_X509_STRICT", 0)
    return context


class Channel:
    """Sends Kea commands to the pair's listeners: HTTP basic authentication
    and TLS client settings as the module's O(channel) gives them."""

    def __init__(self, channel=None):
        c = channel or {}
        self.options = {}
        if c.get("user"):
            self.options.update(url_username=c["user"], url_password=c.get("password") or "", force_basic_auth=True)
        if c.get("ca_file") or c.get("cert_file"):
            self.options["context"] = tls_context(c.get("ca_file"), c.get("cert_file"), c.get("key_file"))

    def send(self, url, command, arguments=None, timeout=5):
        """POST one Kea command for the dhcp4 service; return Kea's first answer (a mapping)."""
        body = {"command": command, "service": ["dhcp4"]}
        if arguments is not None:
            body["arguments"] = arguments
        answer = Request().open("POST", url, data=json.dumps(body), headers={"Content-Type": "application/json"},
                                timeout=timeout, **self.options)
        data = json.loads(answer.read().decode())
        return data[0] if isinstance(data, list) and data else data

    def state_of(self, url):
        try:
            answer = self.send(url, "ha-heartbeat", timeout=2)
        except HTTPError as exc:
            # 401: the Control Agent asks for credentials these are not.
            return "unauthorized" if exc.code == 401 else "unreachable"
        except (OSError, ValueError, URLError):
            return "unreachable"
        if answer.get("result") != 0:
            return "unreachable"
        return str((answer.get("arguments") or {}).get("state", "unreachable"))

    def push_leases(self, url, path, now):
        """Give the server at ``url`` every lease clients hold in the ISC lease file
        ``path`` that it lacks, or holds for another client or with an earlier end."""
        with open(path, encoding="utf-8", errors="replace") as fh:
            leases, dummy = held(read_isc(fh.read()), now)
        answer = self.send(url, "lease4-get-all", timeout=60)
        have = {item["ip-address"]: item for item in (answer.get("arguments") or {}).get("leases", [])}
        pushed, failed = 0, []
        for lease in leases:
            ends = lease["cltt"] + INFINITE if lease["ends"] is None else lease["ends"]
            theirs = have.get(lease["address"])
            if theirs and theirs.get("hw-address", "").lower() == lease["hwaddr"] and int(theirs.get("cltt", 0)) + int(theirs.get("valid-lft", 0)) >= ends:
                continue
            args = {"ip-address": lease["address"], "valid-lft": ends - lease["cltt"], "expire": ends, "force-create": True,
                    "hw-address": lease["hwaddr"] or "00:00:00:00:00:00"}
            if lease["client_id"]:
                args["client-id"] = ":".join("%02x" % b for b in lease["client_id"])
            if lease["hostname"]:
                args["hostname"] = lease["hostname"]
            result = self.send(url, "lease4-update", args)
            if result.get("result") == 0:
                pushed += 1
            else:
                failed.append("%s: %s" % (lease["address"], result.get("text", "")))
        return pushed, failed

    def scopes_of(self, url):
        answer = self.send(url, "status-get")
        for service in (answer.get("arguments") or {}).get("high-availability", []):
            return list(service.get("ha-servers", {}).get("local", {}).get("scopes", []))
        return []

    def bridge(self, url, partner_url, names, states, timeout):
        """While this server is ready but not yet in the mode's state (it learns the
        partner's at its next heartbeat), the partner, once it left partner-down,
        serves both scopes; then its own again. (This server's state, whether it bridged.)"""
        start, restore = time.monotonic(), None
        state = self.state_of(url)
        while state not in states and time.monotonic() - start < timeout:
            if restore is None and self.state_of(partner_url) in states:
                restore = self.scopes_of(partner_url)
                self.send(partner_url, "ha-scopes", {"scopes": list(names)})
            time.sleep(0.1)
            state = self.state_of(url)
        if restore is not None:
            self.send(partner_url, "ha-scopes", {"scopes": restore})
        return state, restore is not None

    def wait_for(self, url, states, timeout):
        start = time.monotonic()
        state = self.state_of(url)
        while state not in states and time.monotonic() - start < timeout:
            time.sleep(0.2)
            state = self.state_of(url)
        return state, time.monotonic() - start


ARGUMENT_SPEC = dict(
    url=dict(type="str"),
    config=dict(type="path"),
    partner_url=dict(type="str"),
    action=dict(type="str", default="state", choices=["state", "wait", "maintenance", "resume_partner", "push_leases"]),
    leases_from=dict(type="path"),
    peer_names=dict(type="list", elements="str"),
    states=dict(type="list", elements="str", default=["load-balancing", "hot-standby"]),
    timeout=dict(type="int", default=120),
    channel=dict(type="dict", options=dict(
        user=dict(type="str"),
        password=dict(type="str", no_log=True),
        ca_file=dict(type="path"),
        cert_file=dict(type="path"),
        key_file=dict(type="path", no_log=False),
    ), required_together=[("user", "password"), ("cert_file", "key_file")]),
)


def _resolve(module, p):
    """URLs and channel from O(config) where given; the partner's URL where the action needs one."""
    if p["config"]:
        try:
            p["url"], p["partner_url"], channel = from_config(p["config"])
        except (OSError, ValueError, KeyError, IndexError) as exc:
            module.fail_json(msg="could not read the HA peers of %s: %s" % (p["config"], exc), state="unreachable", waited=0.0)
        p["channel"] = dict(channel, **{k: v for k, v in (p["channel"] or {}).items() if v})
    if p["action"] in ("maintenance", "resume_partner", "push_leases") and not p["partner_url"]:
        module.fail_json(msg="action %s needs partner_url (or config)" % p["action"], state="unreachable", waited=0.0)


def _command(module, kea, p):
    """maintenance, push_leases and resume_partner: the actions that talk to the partner."""
    action = p["action"]
    pushed = None
    if p["leases_from"] and action in ("maintenance", "push_leases"):
        pushed, failed = kea.push_leases(p["partner_url"], p["leases_from"], int(time.time()))
        if failed:
            module.fail_json(msg="the partner refused %d leases: %s" % (len(failed), "; ".join(failed[:5])), pushed=pushed, state="", waited=0.0)
    if action == "push_leases":
        module.exit_json(changed=pushed > 0, pushed=pushed, state=kea.state_of(p["partner_url"]), waited=0.0)
    if action == "maintenance":
        answer = kea.send(p["partner_url"], "ha-maintenance-start")
        module.exit_json(
            changed=answer.get("result") == 0, state=kea.state_of(p["url"]), result=answer.get("result"), text=answer.get("text", ""), waited=0.0,
            **({"pushed": pushed} if pushed is not None else {})
        )
    state, waited = kea.wait_for(p["url"], ["ready"] + p["states"], p["timeout"])
    if state not in ["ready"] + p["states"]:
        module.fail_json(msg="%s did not sync its leases in %d s (state %s)" % (p["url"], p["timeout"], state), state=state, waited=waited)
    if p["peer_names"] and state not in p["states"]:
        state, dummy = kea.bridge(p["url"], p["partner_url"], p["peer_names"], p["states"], p["timeout"])
    module.exit_json(changed=False, state=state, waited=waited)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_one_of=[("url", "config")],
                           required_if=[("action", "push_leases", ["leases_from"])], supports_check_mode=True)
    p = module.params
    _resolve(module, p)
    kea = Channel(p["channel"])
    action = p["action"]
    if action == "state" or (module.check_mode and action in ("maintenance", "resume_partner", "push_leases")):
        module.exit_json(changed=False, state=kea.state_of(p["url"]), waited=0.0)
    if action == "wait":
        state, waited = kea.wait_for(p["url"], p["states"], p["timeout"])
        if state not in p["states"]:
            module.fail_json(
                msg="%s did not reach %s in %d s (state %s)" % (p["url"], " or ".join(p["states"]), p["timeout"], state), state=state, waited=waited
            )
        module.exit_json(changed=False, state=state, waited=waited)
    try:
        _command(module, kea, p)
    except (OSError, ValueError, URLError) as exc:
        module.fail_json(msg="Kea did not answer %s: %s" % (action, exc), state=kea.state_of(p["url"]), waited=0.0)


if __name__ == "__main__":
    main()
