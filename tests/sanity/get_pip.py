"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test makes each sanity test's virtual environment without pip and
runs a "get-pip" script it fetches from the internet; where only a package
index is reachable, this script does the same job: it puts pip into the
running Python with ensurepip, then has pip install the requested versions
(from the configured index). tests/sanity/run.sh places it where ansible-test
looks for its cached copy.
"""

import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main(argv):
    args = [a for a in argv if a not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main(sys.argv[1:])
