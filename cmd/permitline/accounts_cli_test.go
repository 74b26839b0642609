package main

import "testing"

// The same person at one address is one account, however the address is spelt; a member
// is reached on a number of their own (R1, R5).
func TestResidentAddRefusesTheSamePersonTwice(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	add := func(name, address, phone string) []string {
		return []string{"resident", "add", "--name", name, "--address", address, "--postcode", "CB1 1AA",
			"--scheme", "Central", "--phone", phone}
	}
	c.refused(add("ann  smith", "1 High St", "07700 900112"), "R1", "same name", a)
	c.refused(add("Bob Smith", "1, high street", "07700 900111"), "R1", "same phone number", a)
	c.wantAccounts(1, "after two refusals")
	c.addResident("Bob Smith", "1 High St.", "Central", "07700 900113", "") // another of the household
	c.refused([]string{"member", "add", a, "--name", "Ann", "--phone", "+44 7700 900111", "--can", "view"},
		"R5", "holder's own")
	c.ok("member", "add", a, "--name", "Jo Smith", "--phone", "07700 900222", "--can", "view")
	c.refused([]string{"member", "add", a, "--name", "Jo", "--phone", "07700900222", "--can", "view"},
		"R5", "Jo Smith")
}

// An address deactivated under one spelling refuses registration under another (R4).
func TestAbbreviatedAddressIsTheDeactivatedOne(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	c.addResident("Ann Smith", "1 Test Street", "Central", "07700 900111", "")
	if got := c.ok("address", "deactivate", "--address", "1 test st", "--postcode", "CB1 1AA"); got != "1 test st, CB1 1AA is now inactive\n" {
		t.Errorf("deactivate printed %q", got)
	}
	c.refused([]string{"resident", "add", "--name", "Al", "--address", "1 Test St", "--postcode", "cb1 1aa",
		"--scheme", "Central", "--phone", "07700 900112"}, "R4", "parking.permits@cambridgeshire.gov.uk")
	c.wantAccounts(1, "after a refused add")
}

func TestResidentAddRefusesABadPostcode(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	c.refused([]string{"resident", "add", "--name", "Al", "--address", "1 Test Street", "--postcode", "NOTAPC",
		"--scheme", "Central", "--phone", "07700 900112"}, `postcode: "NOTAPC" is not a UK postcode`)
	c.refused([]string{"address", "deactivate", "--address", "1 Test Street", "--postcode", "NOTAPC"},
		`"NOTAPC" is not a UK postcode`)
	c.wantAccounts(0, "after a bad postcode")
}

// The person who typed a bad number sees it, not "****".
func TestBadPhoneShowsTheNumberTyped(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	c.refused([]string{"resident", "add", "--name", "Al", "--address", "1 Test Street", "--postcode", "CB1 1AA",
		"--scheme", "Central", "--phone", "0770 090"}, `phone number "0770 090" is not valid`)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	c.refused([]string{"member", "add", a, "--name", "Jo", "--phone", "07700 901000", "--can", "view"},
		`phone number "07700 901000" is not valid`)
}
