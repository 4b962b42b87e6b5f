go test fuzz v1
[]byte("R = [\"a\"]\ndel R[0]\nD = {\"name\": \"x\"}\nD[\"version\"] = \"2\"\nif (n := 1): pass\nsetup(**D, install_requires=R)\n")
