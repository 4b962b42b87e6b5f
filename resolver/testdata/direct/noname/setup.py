from setuptools import setup
setup(name=get_name(), install_requires=["b<2"])
