//go:build !race

package requestid

const raceEnabled = false
