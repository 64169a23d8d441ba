//go:build race

package zonedb

// raceEnabled: the race detector changes what allocations cost (no tiny
// allocator) and slows a million-record load tenfold; memory measurements
// skip under it.
const raceEnabled = true
