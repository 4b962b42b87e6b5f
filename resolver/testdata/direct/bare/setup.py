from setuptools import setup
setup(name="bare", install_requires=["b"])
