//go:build !race

package zonedb

const raceEnabled = false
