//go:build race

package resolver

// raceEnabled: the race detector changes what allocations cost (no tiny
// allocator) and slows a million-record load tenfold; memory measurements
// skip under it.
const raceEnabled = true
