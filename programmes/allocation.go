package programmes

import (
	"cmp"
	"strings"
)

// allocationOrder is the priority rule for a programme's seats: social
// workers whose municipality did not take part in the methodology's pilot
// come first, then everyone by the time they applied (arrival sequence,
// then id, so the order is total). It compares as slices.SortFunc expects.
func allocationOrder(a, b applicationRow) int {
	if a.TookPartInPilot != b.TookPartInPilot {
		if !a.TookPartInPilot {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(a.QueueSeq, b.QueueSeq); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
