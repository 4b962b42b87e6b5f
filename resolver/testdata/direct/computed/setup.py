# The shape of jax's and aws-cli's setup.py: a computed version, a
# requirement computed from a name bound conditionally, literal extras.
import sys
from setuptools import setup

if sys.platform == "win32":
    MIN_A = "2"
else:
    MIN_A = "1"

def read_version():
    return "1.0"

__version__ = read_version()

setup(
    name="computed",
    version=__version__,
    install_requires=["b>=2", f"a>={MIN_A}"],
    extras_require={"ci": ["c"]},
)
