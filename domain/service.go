package domain

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/domain/calendar"
	"permitline/domain/pin"
)

// Service is the one place the rules live. Every channel (voice, SMS, the agent desk,
// the back-office command line) calls it; none re-implements a rule.
type Service struct {
	store    Store
	clock    Clock
	holidays *calendar.BankHolidays
	pins     pin.Keyed
	ids      IDSource

	dummyOnce sync.Once
	dummy     []byte // a password hash at the agents' cost, compared for unknown usernames

	agentPasswordCost int
	checkPassword     func(hash, password []byte) error
}

// Config is what a Service is built from.
type Config struct {
	Store    Store
	Clock    Clock
	Holidays *calendar.BankHolidays
	// PIN hashes and checks phone PINs under the server's key; without a key every
	// operation that sets or checks a PIN fails with pin.ErrNoKey.
	PIN pin.Keyed
	// IDs makes account numbers and visit references; nil means crypto/rand.
	IDs IDSource
	// AgentPasswordCost is the bcrypt cost of agents' desk passwords; 0 means DefaultAgentPasswordCost (12).
	AgentPasswordCost int
	// CheckPassword compares an agent's password with its hash; nil means bcrypt's.
	CheckPassword func(hash, password []byte) error
}

// New returns a Service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, clock: cfg.Clock, holidays: cfg.Holidays,
		pins: cfg.PIN, ids: cfg.IDs,
		agentPasswordCost: cfg.AgentPasswordCost, checkPassword: cfg.CheckPassword}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	if s.ids == nil {
		s.ids = RandomIDs{}
	}
	if s.holidays == nil {
		s.holidays = calendar.NewBankHolidays(nil)
	}
	return s
}

// dummyHash returns a hash at the cost real agents' passwords are hashed at.
func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("no agent has this password"), s.agentCost())
	})
	return s.dummy
}

// Now returns the service clock's reading.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Holidays returns the bank holidays the service uses.
func (s *Service) Holidays() *calendar.BankHolidays { return s.holidays }

// Helpdesk returns the helpdesk's hours (R19-R21).
func (s *Service) Helpdesk() calendar.Helpdesk { return calendar.Helpdesk{Holidays: s.holidays} }

// Op is a write transaction with the rules bound to it. A channel that must save its own
// records in the same commit as the domain change (a conversation's state) runs the
// domain operations on an Op inside Service.Update.
type Op struct {
	s   *Service
	tx  Tx
	now time.Time
	ids IDSource
}

// Tx returns the transaction the operation runs in.
func (o *Op) Tx() Tx { return o.tx }

// Now returns the instant the transaction acts at.
func (o *Op) Now() time.Time { return o.now }

// Update runs fn in one write transaction. It commits when fn returns nil or a Refusal:
// operations decide before they write, so a refusal has written nothing but what it
// means to record (a wrong PIN's count). Any other error rolls back.
func (s *Service) Update(ctx context.Context, fn func(*Op) error) error {
	var refusal error
	err := s.store.Update(ctx, func(tx Tx) error {
		refusal = nil // a store may run fn again: only the last run's refusal counts
		err := fn(&Op{s: s, tx: tx, now: s.clock.Now(), ids: s.ids})
		var r Refusal
		if errors.As(err, &r) {
			refusal = err
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// SaveStep saves conv (a new conversation when it has no ID), which must still be at the
// version it was read at, and the reply
// kept for one of its steps (made from the conversation as saved; an error from reply
// saves nothing) in one write. On a
// store with more than one writer (StepSaver) it runs beside other such saves, not
// queued behind the Updates that decide rules.
func (s *Service) SaveStep(ctx context.Context, conv Conversation, reply func(saved Conversation) (StepReply, error)) (Conversation, error) {
	var saved Conversation
	fn := func(tx Tx) (err error) {
		if conv.ID == 0 {
			saved, err = tx.InsertConversation(conv)
		} else {
			saved, err = tx.UpdateConversation(conv)
		}
		if err != nil {
			return err
		}
		sr, err := reply(saved)
		if err != nil {
			return err
		}
		return tx.InsertStepReply(sr)
	}
	var err error
	if ss, ok := s.store.(StepSaver); ok {
		err = ss.SaveSteps(ctx, fn)
	} else {
		err = s.store.Update(ctx, fn)
	}
	if err != nil {
		return Conversation{}, err
	}
	return saved, nil
}

// View runs fn on a consistent read-only snapshot of the store.
func (s *Service) View(ctx context.Context, fn func(Reader) error) error {
	return s.store.View(ctx, fn)
}

// authorise checks that actor may act on the resident's account with permission p (R5).
func authorise(r Reader, actor Actor, residentID int64, p Permission) error {
	switch actor.Kind {
	case ActorAdmin, ActorAgent:
		return nil
	case ActorResident:
		if actor.ID == residentID {
			return nil
		}
	case ActorMember:
		m, err := r.MemberByID(actor.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("loading member %d: %w", actor.ID, err)
		}
		if err == nil && m.ResidentID == residentID && m.Permissions.Has(p) {
			return nil
		}
	}
	return &NotPermittedError{Need: p}
}

func (o *Op) audit(residentID int64, actor Actor, action, format string, args ...any) error {
	return o.tx.AppendAudit(AuditEntry{At: o.now, ResidentID: residentID, Actor: actor,
		Action: action, Detail: fmt.Sprintf(format, args...)})
}

// permitsWord writes a number of permits: "1 permit", "2 permits".
func permitsWord(n int) string {
	if n == 1 {
		return "1 permit"
	}
	return fmt.Sprintf("%d permits", n)
}

// residentByAccount loads an account, turning a missing one into ErrNotFound with context.
func residentByAccount(r Reader, account string) (Resident, error) {
	res, err := r.ResidentByAccount(account)
	if err != nil {
		return Resident{}, fmt.Errorf("account %s: %w", account, err)
	}
	return res, nil
}

// schemeOf returns the scheme of the resident's address (R1).
func schemeOf(r Reader, res Resident) (Scheme, Address, error) {
	addr, err := r.AddressByID(res.AddressID)
	if err != nil {
		return Scheme{}, Address{}, fmt.Errorf("loading address of account %s: %w", res.Account, err)
	}
	sc, err := r.SchemeByID(addr.SchemeID)
	if err != nil {
		return Scheme{}, Address{}, fmt.Errorf("loading scheme of account %s: %w", res.Account, err)
	}
	return sc, addr, nil
}

// PermitYear returns the permit year holding t: from 00:00 on 1 April, London time, to
// the next 1 April (R7).
func PermitYear(t time.Time) (start, end time.Time) {
	d := calendar.DateOf(t)
	y := d.Year
	if d.Month < time.April {
		y--
	}
	return calendar.NewDate(y, time.April, 1).Midnight(), calendar.NewDate(y+1, time.April, 1).Midnight()
}
