go test fuzz v1
[]byte("from setuptools import setup\r\nsetup(\r\n  name=\"x\",\r\n  version=\"1\"\r\n)\r\n")
