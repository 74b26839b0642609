package domain_test

import (
	"reflect"
	"testing"
	"time"

	"permitline/domain"
)

// The vehicle menu keeps saved vehicles in the order they were saved, whichever was used
// last, and puts recently used ones after them, so using a vehicle renumbers no saved one.
func TestVehicleMenuOrder(t *testing.T) {
	at := func(days int) time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC).AddDate(0, 0, days) }
	vs := []domain.Vehicle{ // as the store lists them: saved first, then the most recently used
		{ID: 1, VRM: "AB12CDE", Saved: true, LastUsedAt: at(-10)},
		{ID: 4, VRM: "Y123ABC", Saved: true, LastUsedAt: at(0)},
		{ID: 5, VRM: "AB12CDF", LastUsedAt: at(0)},
		{ID: 2, VRM: "KX65ABC", LastUsedAt: at(-3)},
		{ID: 3, VRM: "LM19XYZ", LastUsedAt: at(-30)},
	}
	names := func(vs []domain.Vehicle) (out []string) {
		for _, v := range vs {
			out = append(out, v.VRM)
		}
		return out
	}
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{1, []string{"AB12CDE"}},
		{3, []string{"AB12CDE", "Y123ABC", "AB12CDF"}},
		{4, []string{"AB12CDE", "Y123ABC", "KX65ABC", "AB12CDF"}},
		{9, []string{"AB12CDE", "Y123ABC", "KX65ABC", "LM19XYZ", "AB12CDF"}},
	} {
		if got := names(domain.VehicleMenu(vs, tc.n)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("VehicleMenu(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
