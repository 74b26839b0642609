package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/domain/vrm"
)

// ImportSchemes adds schemes, or updates those already known by name.
func (s *Service) ImportSchemes(ctx context.Context, actor Actor, schemes []Scheme) ([]Scheme, error) {
	var out []Scheme
	err := s.Update(ctx, func(o *Op) error {
		out = out[:0]
		for _, sc := range schemes {
			sc.Name = strings.TrimSpace(sc.Name)
			if sc.Name == "" {
				return &InvalidInputError{Field: "scheme name", Reason: "is empty"}
			}
			saved, err := o.tx.UpsertScheme(sc)
			if err != nil {
				return fmt.Errorf("saving scheme %s: %w", sc.Name, err)
			}
			if err := o.audit(0, actor, "scheme.import", "%s %s %s-%s", saved.Name,
				saved.Hours.Days, saved.Hours.Span.Opens, saved.Hours.Span.Closes); err != nil {
				return err
			}
			out = append(out, saved)
		}
		return nil
	})
	return out, err
}

// NewResident is what opening an account needs (R1).
type NewResident struct {
	Name, Address, Postcode, Scheme, Phone string
	PIN                                    string // optional: a caller without one is passed to an agent
}

// AddResident opens an account at an address in a scheme (R1). The address is matched
// on AddressKey and the postcode must be a UK one. An address the system holds as
// inactive is refused (R4); so is a second account at one address for the same name or
// phone number (R1).
func (s *Service) AddResident(ctx context.Context, actor Actor, in NewResident) (Resident, error) {
	name, line := strings.Join(strings.Fields(in.Name), " "), strings.Join(strings.Fields(in.Address), " ")
	switch {
	case name == "":
		return Resident{}, &InvalidInputError{Field: "name", Reason: "is empty"}
	case line == "":
		return Resident{}, &InvalidInputError{Field: "address", Reason: "is empty"}
	case AddressKey(line) == "":
		return Resident{}, &InvalidInputError{Field: "address", Reason: fmt.Sprintf("%q has no letters or digits", line)}
	}
	postcode, err := ParsePostcode(in.Postcode)
	if err != nil {
		return Resident{}, err
	}
	e164, err := phone.Parse(in.Phone)
	if err != nil {
		return Resident{}, phoneInput(err)
	}
	hash, err := s.pinHash(in.PIN, true)
	if err != nil {
		return Resident{}, err
	}
	var res Resident
	err = s.Update(ctx, func(o *Op) error {
		sc, err := o.tx.SchemeByName(strings.TrimSpace(in.Scheme))
		if errors.Is(err, ErrNotFound) {
			return &InvalidInputError{Field: "scheme", Reason: fmt.Sprintf("no scheme called %q", in.Scheme)}
		} else if err != nil {
			return err
		}
		// Every stored spelling of the address counts; an inactive one sorts first (R4).
		addrs, err := o.tx.AddressesByLine(line, postcode)
		if err != nil {
			return err
		}
		var addr Address
		if len(addrs) == 0 {
			if addr, err = o.tx.InsertAddress(Address{Line: line, Postcode: postcode, SchemeID: sc.ID, Active: true}); err != nil {
				return fmt.Errorf("saving address: %w", err)
			}
		} else {
			switch addr = addrs[0]; {
			case !addr.Active:
				return &AddressInactiveError{Email: PermitsTeamEmail}
			case addr.SchemeID != sc.ID:
				return &InvalidInputError{Field: "scheme", Reason: "that address lies in another scheme area"}
			}
			if err := refuseSameResident(o.tx, addrs, name, e164); err != nil {
				return err
			}
		}
		account, err := o.freshAccount()
		if err != nil {
			return err
		}
		res, err = o.tx.InsertResident(Resident{Account: account, Name: name, AddressID: addr.ID,
			Phone: e164, PINHash: hash, CreatedAt: o.now})
		if err != nil {
			return fmt.Errorf("saving resident: %w", err)
		}
		return o.audit(res.ID, actor, "resident.add", "account %s at %s, %s (%s)", account, line, postcode, sc.Name)
	})
	return res, err
}

// refuseSameResident refuses a second account for the same person at an address: the
// same name, case and spacing aside, or the same phone number (R1).
func refuseSameResident(r Reader, addrs []Address, name, e164 string) error {
	for _, a := range addrs {
		others, err := r.ResidentsAt(a.ID)
		if err != nil {
			return err
		}
		for _, res := range others {
			switch {
			case sameName(res.Name, name):
				return &DuplicateResidentError{Account: res.Account, Same: "name"}
			case res.Phone == e164:
				return &DuplicateResidentError{Account: res.Account, Same: "phone number"}
			}
		}
	}
	return nil
}

func (o *Op) freshAccount() (string, error) {
	return fresh("account number", o.ids.AccountNumber, func(a string) error {
		_, err := o.tx.ResidentByAccount(a)
		return err
	})
}

// fresh draws numbers until one is not yet used (lookup says ErrNotFound).
func fresh(what string, draw func() string, lookup func(string) error) (string, error) {
	for range 20 {
		v := draw()
		if err := lookup(v); errors.Is(err, ErrNotFound) {
			return v, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free %s after 20 tries", what)
}

// NormalisePostcode upper-cases a postcode and puts one space before its last three characters.
func NormalisePostcode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(s) > 3 {
		s = s[:len(s)-3] + " " + s[len(s)-3:]
	}
	return s
}

// SetAddressActive marks an address active or inactive on the system (R4). The address
// is matched on AddressKey, as registration matches it; every stored spelling of it is
// marked.
func (s *Service) SetAddressActive(ctx context.Context, actor Actor, line, postcode string, active bool) error {
	pc, err := ParsePostcode(postcode)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(o *Op) error {
		addrs, err := o.tx.AddressesByLine(line, pc)
		if err != nil {
			return err
		}
		if len(addrs) == 0 {
			return fmt.Errorf("address %s, %s: %w", strings.TrimSpace(line), pc, ErrNotFound)
		}
		for _, addr := range addrs {
			if err := o.tx.SetAddressActive(addr.ID, active); err != nil {
				return err
			}
			if err := o.audit(0, actor, "address.active", "%s, %s active=%t", addr.Line, addr.Postcode, active); err != nil {
				return err
			}
		}
		return nil
	})
}

// Proof is a proof of address submitted for registration (R2).
type Proof struct {
	Document     Document
	DocumentDate calendar.Date // the date on a utility bill
	TenancyEnd   calendar.Date // the end of a tenancy agreement
}

// How recent a proof of address must be on the day it is submitted (R2).
const (
	// TenancyMonthsLeft is how long a tenancy agreement must still run.
	TenancyMonthsLeft = 6
	// BillMonthsOld is how recent a utility bill's date must be.
	BillMonthsOld = 3
)

// CheckProof applies R2 to a proof submitted on the day `today`.
func CheckProof(p Proof, today calendar.Date) error {
	switch p.Document {
	case DocDrivingLicence:
		return nil
	case DocTenancyAgreement:
		if p.TenancyEnd.IsZero() {
			return &ProofRefusedError{Reason: "a tenancy agreement needs its end date"}
		}
		need := today.AddMonths(TenancyMonthsLeft)
		if p.TenancyEnd.Before(need) {
			return &ProofRefusedError{Reason: fmt.Sprintf(
				"the tenancy ends on %s; it must run for at least %d months, to %s or later", p.TenancyEnd, TenancyMonthsLeft, need)}
		}
		return nil
	case DocUtilityBill:
		if p.DocumentDate.IsZero() {
			return &ProofRefusedError{Reason: "a utility bill needs its date"}
		}
		oldest := today.AddMonths(-BillMonthsOld)
		if p.DocumentDate.After(today) {
			return &ProofRefusedError{Reason: "the bill is dated in the future"}
		}
		if p.DocumentDate.Before(oldest) {
			return &ProofRefusedError{Reason: fmt.Sprintf(
				"the bill is dated %s; it must be dated within the last %d months, %s or later", p.DocumentDate, BillMonthsOld, oldest)}
		}
		return nil
	}
	return &ProofRefusedError{Reason: fmt.Sprintf(
		"%q is not accepted; send a full UK driving licence, a tenancy agreement or a utility bill", p.Document)}
}

// ApproveRegistration records an approved registration, valid for 3 months (R2-R4).
func (s *Service) ApproveRegistration(ctx context.Context, actor Actor, account string, p Proof) (Registration, error) {
	var reg Registration
	err := s.Update(ctx, func(o *Op) error {
		res, err := residentByAccount(o.tx, account)
		if err != nil {
			return err
		}
		if _, addr, err := schemeOf(o.tx, res); err != nil {
			return err
		} else if !addr.Active {
			return &AddressInactiveError{Email: PermitsTeamEmail}
		}
		if err := CheckProof(p, calendar.DateOf(o.now)); err != nil {
			return err
		}
		reg, err = o.tx.InsertRegistration(Registration{ResidentID: res.ID, Document: p.Document,
			DocumentDate: p.DocumentDate, TenancyEnd: p.TenancyEnd, ApprovedAt: o.now,
			ExpiresAt: calendar.AddMonths(o.now, RegistrationValidityMonths)})
		if err != nil {
			return fmt.Errorf("saving registration: %w", err)
		}
		return o.audit(res.ID, actor, "registration.approve", "%s, valid to %s", p.Document,
			calendar.DateOf(reg.ExpiresAt))
	})
	return reg, err
}

// NewMember is what adding a member needs (R5).
type NewMember struct {
	Name, Phone string
	Permissions Permissions
	PIN         string
}

// AddMember gives a third party access to a resident's account (R5).
func (s *Service) AddMember(ctx context.Context, actor Actor, account string, in NewMember) (Member, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return Member{}, &InvalidInputError{Field: "name", Reason: "is empty"}
	}
	if len(in.Permissions) == 0 {
		return Member{}, &InvalidInputError{Field: "permissions", Reason: "none given"}
	}
	e164, err := phone.Parse(in.Phone)
	if err != nil {
		return Member{}, phoneInput(err)
	}
	hash, err := s.pinHash(in.PIN, true)
	if err != nil {
		return Member{}, err
	}
	var m Member
	err = s.Update(ctx, func(o *Op) error {
		res, err := residentByAccount(o.tx, account)
		if err != nil {
			return err
		}
		if actor.Kind != ActorAdmin && actor.Kind != ActorAgent && actor.ID != res.ID {
			return &NotPermittedError{Need: "add members"}
		}
		// R5: a member is a third party, reached on a number of their own.
		if res.Phone == e164 {
			return &DuplicateMemberError{Account: res.Account, Holder: true}
		}
		members, err := o.tx.Members(res.ID)
		if err != nil {
			return err
		}
		for _, other := range members {
			if other.Phone == e164 {
				return &DuplicateMemberError{Account: res.Account, Member: other.Name}
			}
		}
		m, err = o.tx.InsertMember(Member{ResidentID: res.ID, Name: name, Phone: e164,
			Permissions: in.Permissions, PINHash: hash, CreatedAt: o.now})
		if err != nil {
			return fmt.Errorf("saving member: %w", err)
		}
		return o.audit(res.ID, actor, "member.add", "%s may %s", name, in.Permissions)
	})
	return m, err
}

// SetPIN sets or replaces an account holder's phone PIN.
func (s *Service) SetPIN(ctx context.Context, actor Actor, account, newPIN string) error {
	hash, err := s.pinHash(newPIN, false)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(o *Op) error {
		res, err := residentByAccount(o.tx, account)
		if err != nil {
			return err
		}
		if err := o.tx.SetResidentPIN(res.ID, hash); err != nil {
			return err
		}
		return o.audit(res.ID, actor, "pin.set", "PIN changed")
	})
}

// AddVehicle saves a vehicle on the account, so channels can offer it first.
func (o *Op) AddVehicle(actor Actor, account, raw string) (Vehicle, error) {
	res, err := residentByAccount(o.tx, account)
	if err != nil {
		return Vehicle{}, err
	}
	if err := authorise(o.tx, actor, res.ID, PermActivate); err != nil {
		return Vehicle{}, err
	}
	mark, err := parseVRM(raw)
	if err != nil {
		return Vehicle{}, err
	}
	v, err := o.tx.SaveVehicle(Vehicle{ResidentID: res.ID, VRM: mark.Text, Saved: true, CreatedAt: o.now})
	if err != nil {
		return Vehicle{}, fmt.Errorf("saving vehicle: %w", err)
	}
	return v, o.audit(res.ID, actor, "vehicle.add", "%s", mark.Text)
}

// AddVehicle saves a vehicle on the account in its own transaction.
func (s *Service) AddVehicle(ctx context.Context, actor Actor, account, raw string) (Vehicle, error) {
	var v Vehicle
	err := s.Update(ctx, func(o *Op) (err error) { v, err = o.AddVehicle(actor, account, raw); return err })
	return v, err
}

// ParseVRM normalises and checks a registration (R12), refusing with an InvalidVRMError
// that says why and suggests readings that would be valid.
func ParseVRM(raw string) (vrm.Mark, error) { return parseVRM(raw) }

func parseVRM(raw string) (vrm.Mark, error) {
	mark, err := vrm.Parse(raw)
	if err != nil {
		e := &InvalidVRMError{Input: raw, Reason: err.Error()}
		var ie *vrm.InvalidError
		if errors.As(err, &ie) {
			e.Reason = ie.Reason
		}
		// Suggest other readings only of something long enough to be a plate meant as one.
		if n := vrm.Normalise(raw); len(n) >= 5 {
			e.Suggestions = vrm.Confusables(n)
		}
		return vrm.Mark{}, e
	}
	return mark, nil
}

// Caller is a resident or member who may be calling or texting from a number.
type Caller struct {
	Kind       ActorKind // resident or member
	ID         int64
	Name       string
	ResidentID int64
	Account    string
	HasPIN     bool
	// Permissions is what the caller may do; a resident may do everything.
	Permissions Permissions
}

// Actor returns the caller acting through channel ch.
func (c Caller) Actor(ch Channel) Actor {
	return Actor{Kind: c.Kind, ID: c.ID, Name: c.Name, Channel: ch}
}

// CallersByPhone returns the residents and members registered with the number, residents first.
func CallersByPhone(r Reader, e164 string) ([]Caller, error) {
	var out []Caller
	rs, err := r.ResidentsByPhone(e164)
	if err != nil {
		return nil, err
	}
	for _, res := range rs {
		out = append(out, ResidentCaller(res))
	}
	ms, err := r.MembersByPhone(e164)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		res, err := r.ResidentByID(m.ResidentID)
		if err != nil {
			return nil, err
		}
		out = append(out, Caller{Kind: ActorMember, ID: m.ID, Name: m.Name, ResidentID: res.ID,
			Account: res.Account, HasPIN: m.PINHash != "", Permissions: m.Permissions})
	}
	return out, nil
}

// CallersByPhone returns the residents and members registered with the number.
func (s *Service) CallersByPhone(ctx context.Context, e164 string) ([]Caller, error) {
	var out []Caller
	err := s.View(ctx, func(r Reader) (err error) { out, err = CallersByPhone(r, e164); return err })
	return out, err
}

// ResidentCaller returns a resident as a caller, who may do everything on the account.
func ResidentCaller(res Resident) Caller {
	return Caller{Kind: ActorResident, ID: res.ID, Name: res.Name, ResidentID: res.ID, Account: res.Account,
		HasPIN: res.PINHash != "", Permissions: Permissions{PermView, PermActivate, PermBuy}}
}

func pinOf(r Reader, c Caller) (string, PINState, error) {
	switch c.Kind {
	case ActorResident:
		res, err := r.ResidentByID(c.ID)
		return res.PINHash, res.PINState, err
	case ActorMember:
		m, err := r.MemberByID(c.ID)
		return m.PINHash, m.PINState, err
	}
	return "", PINState{}, fmt.Errorf("a %s has no PIN", c.Kind)
}

// pinHash keys a phone PIN for storing; a PIN the rules refuse is an InvalidInputError.
// An empty PIN is none ("") where optional, refused where not.
func (s *Service) pinHash(pin string, optional bool) (string, error) {
	if pin == "" && optional {
		return "", nil
	}
	hash, err := s.pins.Hash(pin)
	if err != nil {
		return "", &InvalidInputError{Field: "pin", Reason: err.Error(), Err: err}
	}
	return hash, nil
}
