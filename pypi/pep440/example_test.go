package pep440_test

import (
	"fmt"

	"github.com/req2nix/req2nix/pypi/pep440"
)

func ExampleParse() {
	v, err := pep440.Parse("v1.0-RC.1-2+Ubuntu_01")
	if err != nil {
		panic(err)
	}
	fmt.Println(v, v.Public(), v.Local(), v.IsPrerelease())
	// Output: 1.0rc1.post2+ubuntu.1 1.0rc1.post2 ubuntu.1 true
}

func ExampleSpecifiers_Filter() {
	s, err := pep440.ParseSpecifiers(">=1.0, !=1.3.*, <2")
	if err != nil {
		panic(err)
	}
	var vs []pep440.Version
	for _, v := range []string{"0.9", "1.2", "1.3.1", "1.9b1", "2.0"} {
		vs = append(vs, pep440.MustParse(v))
	}
	fmt.Println(s, s.Filter(vs, pep440.PrereleasesDefault), s.Filter(vs, pep440.PrereleasesAllow))
	// Output: !=1.3.*,<2,>=1.0 [1.2] [1.2 1.9b1]
}
