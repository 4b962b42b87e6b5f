//go:build !race

package setuppy

const raceDetector = false
