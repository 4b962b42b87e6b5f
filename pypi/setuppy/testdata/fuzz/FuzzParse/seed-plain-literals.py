go test fuzz v1
[]byte("\nfrom setuptools import setup, find_packages\n\nsetup(\n    name=\"demo\",\n    version='1.2.3',\n    packages=find_packages(),\n    python_requires=\">=3.8\",\n    install_requires=[\"requests>=2\", 'click'],  # trailing comment\n    extras_require={\"dev\": [\"pytest\"], 'docs': ('sphinx',)},\n)\n")
