package domain

import (
	"context"
	"fmt"
	"strings"

	"permitline/domain/phone"
	"permitline/domain/vrm"
)

// SearchBy says what an agent searches accounts by.
type SearchBy string

// What accounts can be found by.
const (
	SearchName     SearchBy = "name"     // any part of the holder's name, in any case
	SearchPostcode SearchBy = "postcode" // the address's postcode
	SearchPhone    SearchBy = "phone"    // the holder's or a member's phone number
	SearchVRM      SearchBy = "vrm"      // a vehicle saved on the account or one it booked a visit for
)

// MaxFound is the most accounts a search lists; past it the agent narrows the search.
const MaxFound = 20

// FoundAccount is one account a search found, with enough to pick it from a list.
type FoundAccount struct {
	Resident Resident
	Address  Address
}

// FindAccounts lets the agent holding a call (ErrNotYourCall for anyone else, or a call
// no longer held) find accounts by a name, a postcode, a phone number or a registration,
// up to MaxFound+1 (one more tells the list is cut), holders' names first. Each account
// listed is recorded on its audit with the agent's name ("account.found", once per call,
// search and agent), as an account looked up is (LookUpAccount).
func (s *Service) FindAccounts(ctx context.Context, a Agent, transferID int64, by SearchBy, text string) ([]FoundAccount, error) {
	value, err := searchValue(by, text)
	if err != nil {
		return nil, err
	}
	var out []FoundAccount
	err = s.Update(ctx, func(o *Op) error {
		out = nil
		t, err := o.tx.TransferByID(transferID)
		if err != nil {
			return err
		}
		if t.AgentID != a.ID || t.Status != TransferTaken {
			return ErrNotYourCall
		}
		rs, err := o.tx.FindResidents(by, value, MaxFound+1)
		if err != nil {
			return fmt.Errorf("finding accounts by %s: %w", by, err)
		}
		detail := fmt.Sprintf("for call %d from %s, by %s %s", t.ID, phone.Mask(t.From), by, shownValue(by, value))
		for _, res := range rs {
			addr, err := o.tx.AddressByID(res.AddressID)
			if err != nil {
				return err
			}
			out = append(out, FoundAccount{Resident: res, Address: addr})
			recent, err := o.tx.Audit(res.ID, 50)
			if err != nil {
				return err
			}
			seen := false
			for _, e := range recent {
				seen = seen || (e.Action == "account.found" && e.Actor == a.Actor() && e.Detail == detail)
			}
			if !seen {
				if err := o.audit(res.ID, a.Actor(), "account.found", "%s", detail); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// searchValue is what is searched for, as the store keeps it: a postcode in capitals with
// one space, a phone number in E.164, a registration normalised (R12).
func searchValue(by SearchBy, text string) (string, error) {
	text = strings.TrimSpace(text)
	switch by {
	case SearchName:
		if len([]rune(text)) < 2 {
			return "", &InvalidInputError{Field: "name", Reason: "needs at least 2 letters"}
		}
		return text, nil
	case SearchPostcode:
		return ParsePostcode(text)
	case SearchPhone:
		e164, err := phone.Parse(text)
		if err != nil {
			return "", phoneInput(err)
		}
		return e164, nil
	case SearchVRM:
		m, err := vrm.Parse(text)
		if err != nil {
			return "", &InvalidInputError{Field: "registration", Reason: fmt.Sprintf("%q is not a UK registration", text)}
		}
		return m.Text, nil
	}
	return "", &InvalidInputError{Field: "search", Reason: "is by name, postcode, phone number or registration"}
}

// shownValue is the value searched for as the audit keeps it: a phone number masked.
func shownValue(by SearchBy, value string) string {
	if by == SearchPhone {
		return phone.Mask(value)
	}
	return value
}
