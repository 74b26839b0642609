package load

import (
	"testing"

	"permitline/domain"
)

// The seeded accounts would pass the back office's checks: UK postcodes, and one
// address (by its matching key) for each resident.
func TestSeedAddressesAreValid(t *testing.T) {
	keys := map[string]int{}
	for i := range 1000 {
		line, postcode := seedAddress(i)
		if got, err := domain.ParsePostcode(postcode); err != nil || got != postcode {
			t.Fatalf("resident %d: postcode %q gives %q, %v", i, postcode, got, err)
		}
		k := domain.AddressKey(line) + "|" + postcode
		if j, ok := keys[k]; ok {
			t.Fatalf("residents %d and %d share the address %s, %s", j, i, line, postcode)
		}
		keys[k] = i
	}
}
