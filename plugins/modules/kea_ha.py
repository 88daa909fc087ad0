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
  - C(maintenance) asks the partner to take over every client (C(ha-maintenance-start)).
  - C(resume_partner) waits until this server has synced its leases (state C(ready) or later), then lets the
    partner answer again at once (C(dhcp-enable) with origin C(ha-partner)), since Kea 2.2 pauses the partner for the
    sync and leaves it paused until the next heartbeat.
options:
  url:
    description: This server's HA URL, for example C(http://10.4.7.9:8000/).
    type: str
    required: true
  partner_url:
    description: The partner's HA URL (for C(maintenance) and C(resume_partner)).
    type: str
  action:
    description: What to do.
    type: str
    choices: [state, wait, maintenance, resume_partner]
    default: state
  states:
    description: The states C(wait) waits for (C(resume_partner) waits for C(ready) or these).
    type: list
    elements: str
    default: [load-balancing, hot-standby]
  timeout:
    description: Seconds to wait.
    type: int
    default: 120
  auth_user:
    description:
      - User name for HTTP basic authentication, where the Control Agents ask for it (the role's
        C(kea_ha_auth_user)); sent to O(url) and O(partner_url).
    type: str
    version_added: 1.6.0
  auth_password:
    description: Password for O(auth_user) (the role's C(kea_ha_auth_password)). Never logged.
    type: str
    version_added: 1.6.0
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: partial
    details: C(state) and C(wait) only read and run in check mode; C(maintenance) and C(resume_partner) send nothing there.
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
"""

RETURN = r"""
state:
  description:
    - This server's HA state at the end (C(unreachable) when it did not answer, C(unauthorized) when its Control Agent
      refused the credentials).
  type: str
  returned: always
result:
  description: Kea's result code of the command sent (C(maintenance), C(resume_partner)); 0 is success.
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
"""

import json
import time
from urllib.error import HTTPError, URLError

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url


# (user, password) for the Control Agents' HTTP basic authentication, or None.
AUTH = None


def send(url, command, arguments=None, timeout=5):
    """POST one Kea command for the dhcp4 service; return Kea's first answer (a mapping)."""
    body = {"command": command, "service": ["dhcp4"]}
    if arguments is not None:
        body["arguments"] = arguments
    credentials = {}
    if AUTH:
        credentials = dict(url_username=AUTH[0], url_password=AUTH[1], force_basic_auth=True)
    answer = open_url(url, data=json.dumps(body), headers={"Content-Type": "application/json"}, method="POST", timeout=timeout,
                      **credentials)
    data = json.loads(answer.read().decode())
    return data[0] if isinstance(data, list) and data else data


def state_of(url):
    try:
        answer = send(url, "ha-heartbeat", timeout=2)
    except HTTPError as exc:
        # 401: the Control Agent asks for credentials these are not.
        return "unauthorized" if exc.code == 401 else "unreachable"
    except (OSError, ValueError, URLError):
        return "unreachable"
    if answer.get("result") != 0:
        return "unreachable"
    return str((answer.get("arguments") or {}).get("state", "unreachable"))


def wait_for(url, states, timeout):
    start = time.monotonic()
    state = state_of(url)
    while state not in states and time.monotonic() - start < timeout:
        time.sleep(0.2)
        state = state_of(url)
    return state, time.monotonic() - start


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str", required=True),
            partner_url=dict(type="str"),
            action=dict(type="str", default="state", choices=["state", "wait", "maintenance", "resume_partner"]),
            states=dict(type="list", elements="str", default=["load-balancing", "hot-standby"]),
            timeout=dict(type="int", default=120),
            auth_user=dict(type="str"),
            auth_password=dict(type="str", no_log=True),
        ),
        required_together=[("auth_user", "auth_password")],
        required_if=[("action", "maintenance", ["partner_url"]), ("action", "resume_partner", ["partner_url"])],
        supports_check_mode=True,
    )
    p = module.params
    global AUTH  # pylint: disable=global-statement
    AUTH = (p["auth_user"], p["auth_password"]) if p["auth_user"] else None
    action = p["action"]
    if action == "state" or (module.check_mode and action in ("maintenance", "resume_partner")):
        module.exit_json(changed=False, state=state_of(p["url"]), waited=0.0)
    if action == "wait":
        state, waited = wait_for(p["url"], p["states"], p["timeout"])
        if state not in p["states"]:
            module.fail_json(
                msg="%s did not reach %s in %d s (state %s)" % (p["url"], " or ".join(p["states"]), p["timeout"], state), state=state, waited=waited
            )
        module.exit_json(changed=False, state=state, waited=waited)
    try:
        if action == "maintenance":
            answer = send(p["partner_url"], "ha-maintenance-start")
            module.exit_json(
                changed=answer.get("result") == 0, state=state_of(p["url"]), result=answer.get("result"), text=answer.get("text", ""), waited=0.0
            )
        state, waited = wait_for(p["url"], ["ready"] + p["states"], p["timeout"])
        if state not in ["ready"] + p["states"]:
            module.fail_json(msg="%s did not sync its leases in %d s (state %s)" % (p["url"], p["timeout"], state), state=state, waited=waited)
        answer = send(p["partner_url"], "dhcp-enable", {"origin": "ha-partner"})
    except (OSError, ValueError, URLError) as exc:
        module.fail_json(msg="Kea did not answer %s: %s" % (action, exc), state=state_of(p["url"]), waited=0.0)
    module.exit_json(changed=False, state=state, result=answer.get("result"), text=answer.get("text", ""), waited=waited)


if __name__ == "__main__":
    main()
