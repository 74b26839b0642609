package domain_test

import (
	"errors"
	"strings"
	"testing"

	"permitline/domain"
)

func (w *world) residentsAt(line, postcode string) []domain.Resident {
	w.t.Helper()
	var out []domain.Resident
	err := w.svc.View(w.ctx, func(r domain.Reader) error {
		addr, err := r.AddressByLine(line, postcode)
		if err != nil {
			return err
		}
		out, err = r.ResidentsAt(addr.ID)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func TestR1SamePersonAtOneAddressIsOneAccount(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	first := w.mustAdd(domain.NewResident{Name: "Ann Smith", Address: "1 High Street",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900111"})
	for _, tc := range []struct {
		name      string
		in        domain.NewResident
		same      string
		refused   bool
		residents int
	}{
		{"same name, case and spacing aside", domain.NewResident{Name: "  ann   SMITH ", Address: "1 high st.",
			Postcode: "cb11aa", Phone: "07700 900112"}, "name", true, 1},
		{"same phone, another name", domain.NewResident{Name: "Bob Smith", Address: "1, High Street",
			Postcode: "CB1 1AA", Phone: "+447700900111"}, "phone number", true, 1},
		{"another person of the household", domain.NewResident{Name: "Bob Smith", Address: "1 High St",
			Postcode: "CB1 1AA", Phone: "07700 900113"}, "", false, 2},
		{"the same person at another address", domain.NewResident{Name: "Ann Smith", Address: "2 High Street",
			Postcode: "CB1 1AA", Phone: "07700 900111"}, "", false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.Scheme = cw
			res, err := w.svc.AddResident(w.ctx, w.admin, tc.in)
			if !tc.refused {
				if err != nil {
					t.Fatal(err)
				}
				if res.Account == first.Account {
					t.Fatal("a new account has the first one's number")
				}
			} else {
				e := wantRule[*domain.DuplicateResidentError](t, err, "R1")
				if e.Account != first.Account || e.Same != tc.same {
					t.Fatalf("refusal %+v, want account %s and same %s", e, first.Account, tc.same)
				}
				if !strings.Contains(err.Error(), first.Account) {
					t.Fatalf("%q does not name the existing account", err)
				}
			}
			if n := len(w.residentsAt("1 High Street", "CB1 1AA")); n != tc.residents {
				t.Fatalf("%d residents at 1 High Street, want %d", n, tc.residents)
			}
		})
	}
}

func TestR5MemberNeedsANumberOfTheirOwn(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900120")
	perms := domain.Permissions{domain.PermView}
	_, err := w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Self", Phone: "07700 900120", Permissions: perms})
	if e := wantRule[*domain.DuplicateMemberError](t, err, "R5"); !e.Holder || e.Account != res.Account {
		t.Fatalf("refusal %+v", e)
	}
	if _, err := w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Jo", Phone: "07700 900121", Permissions: perms}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Jo again", Phone: "+44 7700 900121", Permissions: perms})
	if e := wantRule[*domain.DuplicateMemberError](t, err, "R5"); e.Holder || e.Member != "Jo" {
		t.Fatalf("refusal %+v", e)
	}
	var members []domain.Member
	if err := w.svc.View(w.ctx, func(r domain.Reader) (err error) { members, err = r.Members(res.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if len(members) != 1 {
		t.Fatalf("%d members, want 1", len(members))
	}
	// The same number may be a member of another account: a neighbour helping two households.
	other := w.resident(cw, "07700900122")
	if _, err := w.svc.AddMember(w.ctx, w.admin, other.Account, domain.NewMember{Name: "Jo", Phone: "07700 900121", Permissions: perms}); err != nil {
		t.Fatal(err)
	}
}

func TestR4AddressMatchedWhateverItsSpelling(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	w.mustAdd(domain.NewResident{Name: "Ann", Address: "Flat 2, 1 Test Street",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900130"})
	if err := w.svc.SetAddressActive(w.ctx, w.admin, "apartment 2 1 test st", "cb11aa", false); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.AddResident(w.ctx, w.admin, domain.NewResident{Name: "Bob", Address: "Flat 2 1 Test St.",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900131"})
	wantRule[*domain.AddressInactiveError](t, err, "R4")
	if err := w.svc.SetAddressActive(w.ctx, w.admin, "FLAT 2, 1 TEST STREET", "CB1 1AA", true); err != nil {
		t.Fatal(err)
	}
	w.mustAdd(domain.NewResident{Name: "Bob", Address: "Flat 2 1 Test St.",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900131"})
	if n := len(w.residentsAt("flat 2 1 test street", "CB1 1AA")); n != 2 {
		t.Fatalf("%d residents at the address, want 2 at one address", n)
	}
	err = w.svc.SetAddressActive(w.ctx, w.admin, "1 Test Road", "CB1 1AA", false)
	if !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("another address: %v, want not found", err)
	}
}

func TestAddressKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"1 Test Street", "1 test st"},
		{"1 Test Street", "1  TEST   ST."},
		{"12 Coleridge Road", "12, Coleridge Rd"},
		{"31 Example Avenue", "31 Example Ave"},
		{"4 Morley Close", "4 morley cl"},
		{"2 Mill Lane", "2 Mill Ln"},
		{"3 Park Crescent", "3 Park Cres"},
		{"5 Oak Drive", "5 Oak Dr"},
		{"6 Kings Court", "6 King's Ct"},
		{"7 Regent Place", "7 Regent Pl"},
		{"8 Market Square", "8 Market Sq"},
		{"9 Rose Gardens", "9 Rose Gdns"},
		{"10 Bank Terrace", "10 Bank Terr"},
		{"Flat 2, 1 Test Street", "Apartment 2 1 Test St"},
		{"Flat 2, 1 Test Street", "apt 2 - 1 test street"},
		{"St John's Road", "St Johns Rd"},
	} {
		if ka, kb := domain.AddressKey(tc.a), domain.AddressKey(tc.b); ka != kb {
			t.Errorf("%q gives %q but %q gives %q", tc.a, ka, tc.b, kb)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"1 Test Street", "11 Test Street"},
		{"1 Test Street", "1 Test Road"},
		{"1A Test Street", "1 Test Street"},
		{"Flat 2, 1 Test Street", "Flat 21 Test Street"},
	} {
		if domain.AddressKey(tc.a) == domain.AddressKey(tc.b) {
			t.Errorf("%q and %q are one address", tc.a, tc.b)
		}
	}
}

func TestParsePostcode(t *testing.T) {
	for in, want := range map[string]string{
		"cb11aa": "CB1 1AA", " CB1 1AA ": "CB1 1AA", "cb1  1aa": "CB1 1AA", // AA9
		"M1 1AE": "M1 1AE", "B33 8TH": "B33 8TH", "W1A 0AX": "W1A 0AX", // A9, A99, A9A
		"CR2 6XH": "CR2 6XH", "DN55 1PT": "DN55 1PT", "EC1A 1BB": "EC1A 1BB", // AA9, AA99, AA9A
		"pe299qr": "PE29 9QR", "gir0aa": "GIR 0AA",
	} {
		got, err := domain.ParsePostcode(in)
		if err != nil || got != want {
			t.Errorf("ParsePostcode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"NOTAPC", "CB1", "CB1 1A", "1CB 1AA", "CB111 1AA", "CB1 AAA", "QB1 1AA",
		"CB1 1CA", "C1I 1AA", "CB1-1AA", "CB1 1AA X"} {
		_, err := domain.ParsePostcode(in)
		var ie *domain.InvalidInputError
		if !errors.As(err, &ie) || ie.Field != "postcode" || !strings.Contains(err.Error(), in) {
			t.Errorf("ParsePostcode(%q): %v, want a postcode refusal naming the input", in, err)
		}
	}
	if _, err := domain.ParsePostcode("  "); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("blank postcode: %v", err)
	}
}

func TestBadPostcodeOpensNoAccount(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	_, err := w.svc.AddResident(w.ctx, w.admin, domain.NewResident{Name: "Ann", Address: "1 High Street",
		Postcode: "NOTAPC", Scheme: cw, Phone: "07700 900140"})
	if err == nil || !strings.Contains(err.Error(), `"NOTAPC" is not a UK postcode`) {
		t.Fatalf("got %v", err)
	}
	var n int
	if err := w.svc.View(w.ctx, func(r domain.Reader) error {
		rs, err := r.Residents(0, 10)
		n = len(rs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d accounts after a refusal", n)
	}
	if err := w.svc.SetAddressActive(w.ctx, w.admin, "1 High Street", "NOTAPC", false); err == nil ||
		!strings.Contains(err.Error(), "not a UK postcode") {
		t.Fatalf("deactivating at a bad postcode: %v", err)
	}
}

// The person who typed a number sees it in the refusal; the phone package's own message,
// the one fit for logs, still masks it.
func TestBadPhoneShowsTheNumberTyped(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	_, err := w.svc.AddResident(w.ctx, w.admin, domain.NewResident{Name: "Ann", Address: "1 High Street",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "0770 090"})
	if err == nil || !strings.Contains(err.Error(), `phone number "0770 090" is not valid`) {
		t.Fatalf("resident: %v", err)
	}
	res := w.resident(cw, "07700900141")
	_, err = w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Jo", Phone: "01234 56",
		Permissions: domain.Permissions{domain.PermView}})
	if err == nil || !strings.Contains(err.Error(), `phone number "01234 56" is not valid`) {
		t.Fatalf("member: %v", err)
	}
}

// A database from before addresses were matched on their key may hold one address under
// two spellings: both count, for R1 and R4.
func TestTwoStoredSpellingsAreOneAddress(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	first := w.mustAdd(domain.NewResident{Name: "Ann", Address: "1 Test Street",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900150"})
	var sc domain.Scheme
	if err := w.store.Update(w.ctx, func(tx domain.Tx) (err error) {
		if sc, err = tx.SchemeByName(cw); err != nil {
			return err
		}
		_, err = tx.InsertAddress(domain.Address{Line: "1 Test St", Postcode: "CB1 1AA", SchemeID: sc.ID, Active: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.AddResident(w.ctx, w.admin, domain.NewResident{Name: "ANN", Address: "1 test st",
		Postcode: "CB1 1AA", Scheme: cw, Phone: "07700 900151"})
	if e := wantRule[*domain.DuplicateResidentError](t, err, "R1"); e.Account != first.Account {
		t.Fatalf("refusal names %s, want %s", e.Account, first.Account)
	}
	if err := w.svc.SetAddressActive(w.ctx, w.admin, "1 Test St", "CB1 1AA", false); err != nil {
		t.Fatal(err)
	}
	var addrs []domain.Address
	if err := w.svc.View(w.ctx, func(r domain.Reader) (err error) {
		addrs, err = r.AddressesByLine("1 TEST STREET", "cb1 1aa")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(addrs) != 2 || addrs[0].Active || addrs[1].Active {
		t.Fatalf("addresses after deactivating one spelling: %+v", addrs)
	}
	_, err = w.svc.ApproveRegistration(w.ctx, w.admin, first.Account, domain.Proof{Document: domain.DocDrivingLicence})
	wantRule[*domain.AddressInactiveError](t, err, "R4")
}
