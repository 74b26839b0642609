package sqlite_test

import (
	"testing"

	"permitline/domain"
	"permitline/domain/calendar"
)

// FindResidents finds residents by any part of the name in any case (a % or _ in it
// matching itself), by postcode, by the holder's or a member's phone, and by a vehicle
// saved or visited; by name then id, up to the limit.
func TestFindResidents(t *testing.T) {
	s, _ := open(t)
	r := seed(t, s) // Test Resident, 1 Test Road CB1 3AA, +447700900123
	var other domain.Resident
	update(t, s, func(tx domain.Tx) error {
		addr, err := tx.InsertAddress(domain.Address{Line: "2 Test Road", Postcode: "CB2 1AA", SchemeID: r.scheme.ID, Active: true})
		if err != nil {
			return err
		}
		if other, err = tx.InsertResident(domain.Resident{Account: "87654321", Name: "Abe 100% Residentially",
			AddressID: addr.ID, Phone: "+447700900456", CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.InsertMember(domain.Member{ResidentID: other.ID, Name: "A Friend", Phone: "+447700900789",
			Permissions: domain.Permissions{domain.PermView}, CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.SaveVehicle(domain.Vehicle{ResidentID: other.ID, VRM: "AB12CDE", Saved: true, CreatedAt: now}); err != nil {
			return err
		}
		d := calendar.DateOf(now)
		_, err = tx.InsertVisit(domain.Visit{Ref: "V1", ResidentID: r.resident.ID, PermitID: r.permit.ID, SchemeID: r.scheme.ID,
			VRM: "KX65ABC", Date: d, StartsAt: now, EndsAt: now.Add(1), Status: domain.VisitActive, CreatedAt: now})
		return err
	})
	for _, c := range []struct {
		by    domain.SearchBy
		value string
		limit int
		want  []string
	}{
		{domain.SearchName, "resident", 10, []string{"87654321", "12345678"}}, // "Abe..." before "Test..."
		{domain.SearchName, "RESIDENT", 1, []string{"87654321"}},
		{domain.SearchName, "100%", 10, []string{"87654321"}},
		{domain.SearchName, "0% R", 10, []string{"87654321"}},
		{domain.SearchName, "%", 10, []string{"87654321"}},
		{domain.SearchName, "_", 10, nil},
		{domain.SearchPostcode, "CB1 3AA", 10, []string{"12345678"}},
		{domain.SearchPostcode, "CB9 9ZZ", 10, nil},
		{domain.SearchPhone, "+447700900123", 10, []string{"12345678"}},
		{domain.SearchPhone, "+447700900789", 10, []string{"87654321"}}, // a member's
		{domain.SearchVRM, "AB12CDE", 10, []string{"87654321"}},         // saved
		{domain.SearchVRM, "KX65ABC", 10, []string{"12345678"}},         // visited
	} {
		view(t, s, func(rd domain.Reader) error {
			got, err := rd.FindResidents(c.by, c.value, c.limit)
			if err != nil {
				return err
			}
			var accts []string
			for _, res := range got {
				accts = append(accts, res.Account)
			}
			if len(accts) != len(c.want) || (len(accts) > 0 && accts[0] != c.want[0]) ||
				(len(accts) > 1 && accts[1] != c.want[1]) {
				t.Errorf("by %s %q: %v, want %v", c.by, c.value, accts, c.want)
			}
			return nil
		})
	}
}
