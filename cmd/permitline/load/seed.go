package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// resident is one simulated account holder.
type resident struct {
	idx      int
	id       int64
	account  string
	name     string
	phone    string // E.164
	pin      string
	schemeID int64
	hours    calendar.OperatingHours
}

// namePrefix marks the accounts the load seeds, so a run against a running server's
// database finds and reuses those of an earlier run.
const namePrefix = "Load Resident "

// pins are the PINs the simulated residents key, in turn; each resident's is hashed with
// its own salt, as the line hashes them.
var pins = []string{"2580", "1357", "3690", "8642", "4826", "9713", "5049", "6172",
	"7391", "8025", "3948", "6507", "1486", "2973", "5814", "7260"}

// residentPhone is the mobile number of resident i: +447400 then six digits, a real
// UK mobile range the phone package accepts (Ofcom's drama range has only 1000 numbers).
func residentPhone(i int) string { return fmt.Sprintf("+447400%06d", i) }

func residentName(i int) string { return fmt.Sprintf("%s%06d", namePrefix, i) }

// seedAddress returns resident i's address line and postcode, a well-formed UK one.
func seedAddress(i int) (line, postcode string) {
	return fmt.Sprintf("%d Load Street", i+1), fmt.Sprintf("CB%d %dLD", 1+i%9, i%10)
}

// vrmLetters are letters valid in every position of a current-format registration.
const vrmLetters = "ABCDEFGHJKLMNPRSTUVWXY"

// vrmFor returns a distinct current-format registration (AB12CDE) for each n below
// 22^5 * 97 (about 500 million): two letters, an issued age identifier, three letters.
func vrmFor(n int) string {
	age := n % 97 // 02-49 and 51-99
	n /= 97
	a := age + 2
	if a >= 50 {
		a++
	}
	var l [5]byte
	for i := range l {
		l[i] = vrmLetters[n%len(vrmLetters)]
		n /= len(vrmLetters)
	}
	return fmt.Sprintf("%c%c%02d%c%c%c", l[0], l[1], a, l[2], l[3], l[4])
}

// Ranges of vrmFor numbers, so saved vehicles, history and each run's visitors never share a mark.
const (
	vrmSaved   = 0
	vrmHistory = 10_000_000
	vrmRun     = 100_000_000
)

// seeding is the set-up of the simulated residents.
type seeding struct {
	path string    // the database
	now  time.Time // the instant seeding acts at: an hour before the run's clock
	pins pin.Keyed // the run's PIN key
}

// seedResidents makes sure residents 0..n-1 exist, as the domain writes them: schemes
// from the fixtures, then each resident with an address, a PIN, an approved
// registration, 2-4 permits bought in the back office and a saved vehicle, a batch of
// residents per transaction. Residents seeded by an earlier run are reused.
func seedResidents(ctx context.Context, s seeding, n int) ([]*resident, error) {
	store, err := openStore(ctx, s.path)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	clock := domain.NewManualClock(s.now)
	holidays := fixtures.MustBankHolidays()
	svc := domain.New(domain.Config{Store: store, Clock: clock, Holidays: holidays, PIN: s.pins})
	admin := domain.Admin("load")
	schemes, err := fixtures.Schemes()
	if err != nil {
		return nil, err
	}
	if schemes, err = svc.ImportSchemes(ctx, admin, schemes); err != nil {
		return nil, err
	}
	out := make([]*resident, n)
	const batch = 200
	for from := 0; from < n; from += batch {
		to := min(n, from+batch)
		err := svc.Update(ctx, func(o *domain.Op) error {
			for i := from; i < to; i++ {
				sc := schemes[i%len(schemes)]
				r, err := seedOne(o, admin, sc, i, s.pins)
				if err != nil {
					return fmt.Errorf("seeding resident %d: %w", i, err)
				}
				out[i] = r
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seedOne opens resident i's account unless it is there, in the operation's transaction.
func seedOne(o *domain.Op, admin domain.Actor, sc domain.Scheme, i int, keyed pin.Keyed) (*resident, error) {
	e164, err := phone.Parse(residentPhone(i))
	if err != nil {
		return nil, err
	}
	r := &resident{idx: i, name: residentName(i), phone: e164, pin: pins[i%len(pins)]}
	switch found, err := seededBefore(o.Tx(), r); {
	case err != nil:
		return nil, err
	case found:
		return r, nil
	}
	if err := openAccount(o, admin, sc, r, keyed); err != nil {
		return nil, err
	}
	return r, nil
}

// seededBefore finds r's account from an earlier run, by its phone and name, and fills in r.
func seededBefore(tx domain.Tx, r *resident) (bool, error) {
	existing, err := tx.ResidentsByPhone(r.phone)
	if err != nil {
		return false, err
	}
	for _, res := range existing {
		if res.Name != r.name {
			continue
		}
		addr, err := tx.AddressByID(res.AddressID)
		if err != nil {
			return false, err
		}
		sc, err := tx.SchemeByID(addr.SchemeID)
		if err != nil {
			return false, err
		}
		r.id, r.account, r.schemeID, r.hours = res.ID, res.Account, sc.ID, sc.Hours
		return true, nil
	}
	return false, nil
}

// openAccount opens r's account at its address in sc, as the back office does: the
// resident with a PIN, an approved registration, 2-4 permits bought and a saved vehicle.
func openAccount(o *domain.Op, admin domain.Actor, sc domain.Scheme, r *resident, keyed pin.Keyed) error {
	tx, now := o.Tx(), o.Now()
	line, postcode := seedAddress(r.idx)
	addr, err := tx.AddressByLine(line, postcode)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		if addr, err = tx.InsertAddress(domain.Address{Line: line, Postcode: postcode, SchemeID: sc.ID, Active: true}); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	account, err := freeAccount(tx)
	if err != nil {
		return err
	}
	hash, err := keyed.Hash(r.pin)
	if err != nil {
		return err
	}
	res, err := tx.InsertResident(domain.Resident{Account: account, Name: r.name, AddressID: addr.ID, Phone: r.phone,
		PINHash: hash, CreatedAt: now})
	if err != nil {
		return err
	}
	if err := tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: res.ID, Actor: admin, Action: "resident.add",
		Detail: fmt.Sprintf("account %s at %s, %s (%s)", account, line, postcode, sc.Name)}); err != nil {
		return err
	}
	reg, err := tx.InsertRegistration(domain.Registration{ResidentID: res.ID, Document: domain.DocDrivingLicence,
		ApprovedAt: now, ExpiresAt: calendar.AddMonths(now, domain.RegistrationValidityMonths)})
	if err != nil {
		return err
	}
	if err := tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: res.ID, Actor: admin, Action: "registration.approve",
		Detail: fmt.Sprintf("%s, valid to %s", reg.Document, calendar.DateOf(reg.ExpiresAt))}); err != nil {
		return err
	}
	qty := 2 + r.idx%3
	if _, err := o.BuyPermits(admin, account, qty, domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty),
		ProviderRef: "LOAD-SEED-" + account, IdempotencyKey: "load-seed:" + account}); err != nil {
		return err
	}
	if _, err := o.AddVehicle(admin, account, vrmFor(vrmSaved+r.idx)); err != nil {
		return err
	}
	r.id, r.account, r.schemeID, r.hours = res.ID, account, sc.ID, sc.Hours
	return nil
}

// freeAccount draws account numbers until one is not taken.
func freeAccount(tx domain.Tx) (string, error) {
	for range 20 {
		a := domain.RandomIDs{}.AccountNumber()
		if _, err := tx.ResidentByAccount(a); errors.Is(err, domain.ErrNotFound) {
			return a, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", errors.New("no free account number after 20 tries")
}

// seedHistory writes v past visits through the store's bulk writer, before the server
// opens the file, in the shape the domain writes them: permits bought in earlier permit
// years (at most 20 a year each, one payment of £18 each, all expired or used up), each
// with up to 5 active visits on days after its purchase that need a permit in the
// resident's scheme, in its hours, visits_used counting them. Nothing of it is usable
// now, so it is the weight of a big store, not a change to the rules' answers; the
// end-of-run check counts every visit against its permit.
func seedHistory(ctx context.Context, path string, residents []*resident, v int, now time.Time,
	holidays *calendar.BankHolidays) error {
	if v <= 0 {
		return nil
	}
	b, err := sqlite.OpenBulk(ctx, path)
	if err != nil {
		return err
	}
	defer b.Close()
	yearStart, _ := domain.PermitYear(now)
	firstYear := calendar.DateOf(yearStart).Year
	h := &history{bulk: b, holidays: holidays}
	for j := 0; h.visits < v; j++ {
		r := residents[j%len(residents)]
		k := j / len(residents) // r's k-th permit of history
		year, slot := k/domain.PermitsPerYear, k%domain.PermitsPerYear
		bought := calendar.NewDate(firstYear-1-year, time.April, 1).AddDays(1+7*slot).At(10, 0)
		if err := h.permit(r, j+1, bought, min(domain.VisitsPerPermit, v-h.visits)); err != nil {
			return err
		}
	}
	return b.Commit()
}

// history writes the past permits and visits of seedHistory.
type history struct {
	bulk     *sqlite.Bulk
	holidays *calendar.BankHolidays
	visits   int // written so far
}

// permit writes the n-th permit of history, bought by r with a payment of its own, and
// its visits.
func (h *history) permit(r *resident, n int, bought time.Time, visits int) error {
	pay, err := h.bulk.InsertPayment(domain.Payment{ResidentID: r.id, AmountPence: domain.PermitPrice, Quantity: 1,
		ProviderRef: fmt.Sprintf("HISTORY-%d", n), IdempotencyKey: fmt.Sprintf("load-history:%012d", n),
		Channel: domain.ChannelAdmin, CreatedAt: bought})
	if err != nil {
		return err
	}
	p, err := h.bulk.InsertPermit(domain.Permit{ResidentID: r.id, SchemeID: r.schemeID, PaymentID: pay.ID, PurchasedAt: bought,
		ExpiresAt: calendar.AddMonths(bought, domain.PermitValidityMonths), VisitsUsed: visits})
	if err != nil {
		return err
	}
	day := calendar.DateOf(bought).AddDays(1)
	for range visits {
		// The next day from here that needs a permit in the resident's scheme, in its hours.
		start, end, why := r.hours.Window(day, h.holidays)
		for why != calendar.PermitNeeded {
			day = day.AddDays(1)
			start, end, why = r.hours.Window(day, h.holidays)
		}
		channel := domain.ChannelVoice
		if h.visits%3 == 0 {
			channel = domain.ChannelSMS
		}
		if _, err := h.bulk.InsertVisit(domain.Visit{Ref: historyRef(h.visits), ResidentID: r.id, PermitID: p.ID,
			SchemeID: r.schemeID, VRM: vrmFor(vrmHistory + h.visits), Date: day, StartsAt: start, EndsAt: end,
			Status: domain.VisitActive, CreatedAt: start.Add(-14 * time.Hour),
			By: domain.Actor{Kind: domain.ActorResident, ID: r.id, Name: r.name, Channel: channel}}); err != nil {
			return err
		}
		h.visits++
		day = day.AddDays(3)
	}
	return nil
}

// historyRef returns a distinct visit reference for each g below 25^6, in ascending
// order (the alphabet is in ASCII order), so the UNIQUE index on ref is appended to.
func historyRef(g int) string {
	const alphabet = "34679ACDEFGHJKMNPQRTUVWXY"
	var b [6]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[g%25]
		g /= 25
	}
	return string(b[:])
}
