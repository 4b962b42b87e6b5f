go test fuzz v1
[]byte("setup(name=[\"a\", (\n")
