#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dhcpd_check
short_description: Check a dhcpd.conf text and its secrets file with dhcpd -t, changing nothing
version_added: 1.1.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Writes the configuration text, and the text of the secrets file it includes, to temporary
    owner-only files in O(check_dir), points the config's C(include) of O(secrets_path) at the
    temporary secrets file, runs C(dhcpd -t -cf) on it and removes both files again.
  - The running configuration is never touched, so every peer can be checked before any peer changes.
  - O(secrets) is never logged or returned; lines of dhcpd's messages that quote a secret are
    removed from the output.
  - Run it inside the directory dhcpd may read, C(/etc/dhcp), because Debian's AppArmor profile for
    dhcpd allows reading only C(/etc/dhcp/**).
options:
  config:
    description: The dhcpd.conf text to check.
    type: str
    required: true
  secrets:
    description: The text of the file that O(config) includes from O(secrets_path); empty for none.
    type: str
    default: ""
  secrets_path:
    description: The path the config's C(include) statement names for the secrets file.
    type: str
    default: /etc/dhcp/dhcpd.secrets.conf
  binary:
    description: Path of dhcpd.
    type: path
    default: /usr/sbin/dhcpd
  check_dir:
    description: Directory for the temporary files.
    type: path
    default: /etc/dhcp
  includes_present:
    description:
      - Whether the other files the config includes (C(dhcpd_includes)) exist where it names them.
        When false (a review on the controller), those C(include) lines are left out of the check and
        listed in RV(unchecked_includes).
    type: bool
    default: true
  omapi_algorithm:
    description:
      - The key algorithm of the OMAPI key, empty when OMAPI is off.
      - On a host with the Red Hat family's C(dhcp-server) package, an algorithm other than C(hmac-md5)
        is refused unless the package is at least 4.4.2-17.b1 (EL 9.1); the omapi library of the
        earlier EL 9.0 builds knows HMAC-MD5 only, so omshell could not connect and partner-down
        would fail exactly when it is needed.
    type: str
    default: ""
    version_added: 1.2.0
extends_documentation_fragment:
  - netboot.dhcp_failover.attributes.check_no_diff
"""

EXAMPLES = r"""
- name: Check the rendered files before anything is replaced
  netboot.dhcp_failover.dhcpd_check:
    config: "{{ rendered_config }}"
    secrets: "{{ rendered_secrets }}"
"""

RETURN = r"""
rc:
  description: Exit code of dhcpd -t.
  type: int
  returned: always
output:
  description: What dhcpd -t printed, without any line that quotes a secret.
  type: str
  returned: always
unchecked_includes:
  description: Include files left out of the check (O(includes_present=false)).
  type: list
  elements: str
  returned: always
"""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

# The first Red Hat build of ISC DHCP 4.4.2b1 whose OMAPI takes SHA-2 keys.
RPM_SHA2_OMAPI = ("4.4.2", 17)


def omapi_algorithm_problem(algorithm, rpm_version):
    """Why the packaged dhcpd cannot use ALGORITHM for OMAPI, or None.

    RPM_VERSION is "VERSION-RELEASE" of the dhcp-server package (empty when the
    host has none, as on Debian, whose 4.4.3 takes every algorithm)."""
    if not algorithm or algorithm == "hmac-md5" or not rpm_version:
        return None
    version, dummy, release = rpm_version.partition("-")
    m = re.match(r"(\d+)", release)
    if version != RPM_SHA2_OMAPI[0] or not m or int(m.group(1)) >= RPM_SHA2_OMAPI[1]:
        return None
    return (
        "dhcp-server %s takes only hmac-md5 keys for OMAPI (%s needs %s-%d.b1 or later, EL 9.1): "
        "update dhcp-server (dnf update dhcp-server) or set dhcpd_omapi.algorithm: hmac-md5"
        % (rpm_version, algorithm, RPM_SHA2_OMAPI[0], RPM_SHA2_OMAPI[1])
    )


def rpm_version(module, package="dhcp-server"):
    rpm = module.get_bin_path("rpm")
    if not rpm:
        return ""
    rc, out, dummy = module.run_command([rpm, "-q", "--qf", "%{VERSION}-%{RELEASE}", package])
    return out.strip() if rc == 0 else ""


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type="str", required=True),
            secrets=dict(type="str", default="", no_log=True),
            secrets_path=dict(type="str", default="/etc/dhcp/dhcpd.secrets.conf", no_log=False),
            binary=dict(type="path", default="/usr/sbin/dhcpd"),
            check_dir=dict(type="path", default="/etc/dhcp"),
            includes_present=dict(type="bool", default=True),
            omapi_algorithm=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.exists(p["binary"]):
        module.fail_json(msg="%s is not installed: nothing can check the configuration" % p["binary"])
    problem = omapi_algorithm_problem(p["omapi_algorithm"], rpm_version(module) if p["omapi_algorithm"] else "")
    if problem:
        module.fail_json(msg=problem)
    made = []
    unchecked = []
    try:
        secrets_file = None
        if p["secrets"]:
            fd, secrets_file = tempfile.mkstemp(prefix=".dhcpd.secrets.check.", dir=p["check_dir"])
            made.append(secrets_file)
            with os.fdopen(fd, "w") as fh:
                fh.write(p["secrets"])
        lines = []
        for line in p["config"].splitlines():
            m = re.match(r'^\s*include\s+"([^"]+)";\s*$', line)
            if m and m.group(1) == p["secrets_path"]:
                line = 'include "%s";' % secrets_file if secrets_file else "# secrets file not given"
            elif m and not p["includes_present"]:
                unchecked.append(m.group(1))
                line = "# not checked here: " + line.strip()
            lines.append(line)
        fd, conf = tempfile.mkstemp(prefix=".dhcpd.conf.check.", dir=p["check_dir"])
        made.append(conf)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        rc, out, err = module.run_command([p["binary"], "-t", "-cf", conf])
    finally:
        for path in made:
            try:
                os.unlink(path)
            except OSError:
                pass
    text = "\n".join(line for line in (out + err).splitlines() if not re.search(r"\bsecret\b", line))
    result = dict(changed=False, rc=rc, output=text, unchecked_includes=unchecked)
    if rc != 0:
        module.fail_json(msg="dhcpd -t rejected the configuration:\n%s" % text, **result)
    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()
