go test fuzz v1
[]byte("L=[*A, \"b\"]\nsetup(install_requires=[*L, *(\"c\",)], extras_require=dict(**{\"a\": []}, b=[\"x\"]))\n")
