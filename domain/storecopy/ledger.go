package storecopy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"time"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
)

// LedgerLine is one figure of a line's books, read on each side after a copy.
type LedgerLine struct {
	What           string
	Source, Target string
}

// Same reports whether both sides read the same.
func (l LedgerLine) Same() bool { return l.Source == l.Target }

// ledger is what the books are read from on either engine (sqlite.Ledger, postgres.Ledger:
// the readers the load's end-of-run check uses).
type ledger interface {
	domain.Reader
	LastIDs() (visit, payment int64, err error)
	ActiveVisitsByPermit() (map[int64]int, error)
	EachPermit(fn func(domain.Permit) error) error
	EachPayment(fn func(p domain.Payment, permits int) error) error
	AuditCounts() (map[string]int, error)
}

// CompareLedgers reads the books of the SQLite store at srcPath and of the PostgreSQL
// store at dstAddr through each engine's ledger and returns their figures side by side:
// residents, payments, permits, visits and the audit trail, each counted and summed, with a
// digest of the records, so that two stores that hold the same books read the same.
func CompareLedgers(ctx context.Context, srcPath, dstAddr string) ([]LedgerLine, error) {
	var src, dst []figure
	err := sqlite.ReadLedger(ctx, srcPath, func(l *sqlite.Ledger) error {
		var err error
		src, err = figures(l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the source's ledger: %w", err)
	}
	err = postgres.ReadLedger(ctx, dstAddr, func(l *postgres.Ledger) error {
		var err error
		dst, err = figures(l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the target's ledger: %w", err)
	}
	out := make([]LedgerLine, len(src))
	for i := range src {
		out[i] = LedgerLine{What: src[i].what, Source: src[i].value, Target: dst[i].value}
	}
	return out, nil
}

type figure struct{ what, value string }

// figures reads the books of one store.
func figures(l ledger) ([]figure, error) {
	var f []figure
	add := func(what string, v any) { f = append(f, figure{what, fmt.Sprint(v)}) }

	residents, rd := 0, newDigest()
	for after := int64(0); ; {
		page, err := l.Residents(after, 1000)
		if err != nil {
			return nil, fmt.Errorf("listing residents: %w", err)
		}
		for _, r := range page {
			residents++
			rd.add(r.ID, r.Account, r.Name, r.AddressID, r.Phone, r.PINHash, r.PINFailures, r.PINLockedUntil, r.CreatedAt)
			after = r.ID
		}
		if len(page) < 1000 {
			break
		}
	}
	add("residents", residents)
	add("residents digest", rd.sum())

	payments, bought, pd := 0, 0, newDigest()
	var pence domain.Pence
	err := l.EachPayment(func(p domain.Payment, permits int) error {
		payments++
		bought += permits
		pence += p.AmountPence
		pd.add(p.ID, p.ResidentID, p.AmountPence, p.Quantity, p.ProviderRef, p.IdempotencyKey, p.Channel, p.CreatedAt, permits)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading payments: %w", err)
	}
	add("payments", payments)
	add("pence paid", int64(pence))
	add("permits bought", bought)
	add("payments digest", pd.sum())

	permits, used, md := 0, 0, newDigest()
	err = l.EachPermit(func(p domain.Permit) error {
		permits++
		used += p.VisitsUsed
		md.add(p.ID, p.ResidentID, p.SchemeID, p.PaymentID, p.PurchasedAt, p.ExpiresAt, p.VisitsUsed)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading permits: %w", err)
	}
	add("permits", permits)
	add("visits used", used)
	add("permits digest", md.sum())

	active, err := l.ActiveVisitsByPermit()
	if err != nil {
		return nil, fmt.Errorf("counting active visits: %w", err)
	}
	total, ad := 0, newDigest()
	for _, id := range sortedIDs(active) {
		total += active[id]
		ad.add(id, active[id])
	}
	add("active visits", total)
	add("active visits digest", ad.sum())
	lastVisit, lastPayment, err := l.LastIDs()
	if err != nil {
		return nil, fmt.Errorf("reading the last ids: %w", err)
	}
	add("last visit id", lastVisit)
	add("last payment id", lastPayment)

	audit, err := l.AuditCounts()
	if err != nil {
		return nil, fmt.Errorf("counting the audit trail: %w", err)
	}
	entries, aud := 0, newDigest()
	actions := make([]string, 0, len(audit))
	for a := range audit {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		entries += audit[a]
		aud.add(a, audit[a])
	}
	add("audit entries", entries)
	add("audit digest", aud.sum())
	return f, nil
}

// digest hashes records field by field, each field told from the next.
type digest struct{ h hash.Hash }

func newDigest() *digest { return &digest{sha256.New()} }

func (d *digest) add(fields ...any) {
	for _, v := range fields {
		var s string
		switch v := v.(type) {
		case time.Time:
			s = v.UTC().Format(time.RFC3339Nano)
		case string:
			s = strconv.Quote(v)
		default:
			s = fmt.Sprint(v)
		}
		d.h.Write([]byte(s))
		d.h.Write([]byte{0})
	}
	d.h.Write([]byte{'\n'})
}

func (d *digest) sum() string { return hex.EncodeToString(d.h.Sum(nil))[:12] }

func sortedIDs(m map[int64]int) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
