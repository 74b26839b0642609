package domain

import "sort"

// VehicleMenu picks up to n of an account's vehicles to offer by key: the saved vehicles
// in the order they were saved, then the most recently used of the others, shown in the
// order they were first used. Using a new vehicle so never renumbers a saved one, nor a
// recent one that stays on the menu.
func VehicleMenu(vs []Vehicle, n int) []Vehicle {
	var saved, used []Vehicle
	for _, v := range vs {
		if v.Saved {
			saved = append(saved, v)
		} else {
			used = append(used, v)
		}
	}
	sort.SliceStable(saved, func(i, j int) bool { return saved[i].ID < saved[j].ID })
	sort.SliceStable(used, func(i, j int) bool {
		if !used[i].LastUsedAt.Equal(used[j].LastUsedAt) {
			return used[i].LastUsedAt.After(used[j].LastUsedAt)
		}
		return used[i].ID < used[j].ID
	})
	out := saved[:min(len(saved), n)]
	recent := used[:min(len(used), n-len(out))]
	sort.SliceStable(recent, func(i, j int) bool { return recent[i].ID < recent[j].ID })
	return append(out, recent...)
}
