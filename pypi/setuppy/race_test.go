//go:build race

package setuppy

// raceDetector slows everything down: timings are not checked under it.
const raceDetector = true
