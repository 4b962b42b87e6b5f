go test fuzz v1
[]byte("x = f\"{a!r:>{w}}\"\nsetup(name=f\"{x}\", version=f\"{{v}}\")\n")
