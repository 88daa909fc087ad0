# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What is wrong with a Kea peer's TLS material, before any of it reaches a
host: kea-dhcp4 -t and kea-ctrl-agent -t do not open the files (Kea 2.2), so
a mismatch would only show when the server starts and cannot talk to its
partner. Reads PEM text in memory with the cryptography package (which
ansible-core requires); never returns or names the key's content."""

from __future__ import annotations

import ipaddress

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
except ImportError as exc:  # ansible-core requires it; a bare environment may lack it
    CRYPTOGRAPHY_ERROR = exc
else:
    CRYPTOGRAPHY_ERROR = None


def _load_key(key_pem):
    """The private key, or (None, problem)."""
    try:
        return serialization.load_pem_private_key(str(key_pem).encode(), password=None), None
    except TypeError:
        return None, ("kea_ha_tls_key", "an encrypted key: Kea reads only an unencrypted one (keep it in Ansible Vault instead)")
    except (ValueError, UnsupportedAlgorithm):
        return None, ("kea_ha_tls_key", "not a PEM private key (-----BEGIN PRIVATE KEY-----)")


def _same_key(key, cert):
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(serialization.Encoding.DER, public) == cert.public_key().public_bytes(serialization.Encoding.DER, public)


def _signed_by(cert, ca):
    """None when CA issued CERT, else the problem."""
    try:
        cert.verify_directly_issued_by(ca)
        return None
    except (InvalidSignature, ValueError, TypeError) as exc:
        return ("kea_ha_tls_cert", "%s is not signed by kea_ha_tls_ca_cert (%s): the partner would refuse it (%s)"
                % (cert.subject.rfc4514_string(), ca.subject.rfc4514_string(), type(exc).__name__))


def _names_address(cert, address):
    """None when ADDRESS is one of CERT's IP subjectAltNames, else the problem."""
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ips = [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        ips = []
    if str(ipaddress.ip_address(address)) in ips:
        return None
    return ("kea_ha_tls_cert", "has no IP subjectAltName %s, this peer's failover address (it has %s): the peer URLs are "
                               "https://%s:PORT/, and a client that checks the name refuses it" % (address, ", ".join(ips) or "none", address))


def tls_problems(ca_pem, cert_pem, key_pem, address=None):
    """A list of (variable, problem) for one peer's kea_ha_tls_ca_cert,
    kea_ha_tls_cert and kea_ha_tls_key; empty when they belong together:
    the key is the certificate's, the CA signed it, and ADDRESS (the peer's
    failover address, where given) is one of its IP subjectAltNames."""
    if CRYPTOGRAPHY_ERROR is not None:
        raise RuntimeError("checking kea_ha_tls_* needs the Python package cryptography on the controller "
                           "(ansible-core's own requirement): %s" % CRYPTOGRAPHY_ERROR)
    problems = []
    try:
        ca = x509.load_pem_x509_certificate(str(ca_pem).encode())
    except ValueError:
        problems.append(("kea_ha_tls_ca_cert", "not a PEM certificate (-----BEGIN CERTIFICATE-----)"))
        ca = None
    try:
        cert = x509.load_pem_x509_certificate(str(cert_pem).encode())
    except ValueError:
        return problems + [("kea_ha_tls_cert", "not a PEM certificate (-----BEGIN CERTIFICATE-----)")]
    key, problem = _load_key(key_pem)
    if key is not None and not _same_key(key, cert):
        problem = ("kea_ha_tls_key", "not the key of kea_ha_tls_cert (%s)" % cert.subject.rfc4514_string())
    problems += [problem] if problem else []
    problems += [p for p in (_signed_by(cert, ca) if ca is not None else None, _names_address(cert, address) if address else None) if p]
    return problems
