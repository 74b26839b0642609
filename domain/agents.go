package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"permitline/domain/calendar"
	"permitline/domain/phone"
)

// Agent is a person at the helpdesk who takes transferred calls.
type Agent struct {
	ID       int64
	Username string
	Name     string
	// Phone (E.164) or ClientIdentity (a Twilio Client identity) is where calls are put through.
	Phone          string
	ClientIdentity string
	PasswordHash   string
	CreatedAt      time.Time
}

// Actor returns the agent acting on the agent channel.
func (a Agent) Actor() Actor {
	return Actor{Kind: ActorAgent, ID: a.ID, Name: a.Name, Channel: ChannelAgent}
}

// MinPasswordLength is the shortest password an agent may have.
const MinPasswordLength = 10

// ErrBadCredentials is returned for an unknown username or a wrong password, alike.
var ErrBadCredentials = errors.New("wrong username or password")

// ErrTaken is returned when a call has already been taken by an agent or has left the queue.
var ErrTaken = errors.New("the call is no longer waiting")

// ErrNotYourCall is returned when an agent acts on a call another agent holds, or on one
// no longer held.
var ErrNotYourCall = errors.New("this call is not held by you")

// NewAgent is what adding an agent needs.
type NewAgent struct {
	Username, Name, Phone, ClientIdentity, Password string
}

// AddAgent adds a helpdesk agent, with a password stored as a slow salted hash (bcrypt at
// the agents' own cost, 12 unless the config says otherwise).
func (s *Service) AddAgent(ctx context.Context, actor Actor, in NewAgent) (Agent, error) {
	a := Agent{Username: strings.ToLower(strings.TrimSpace(in.Username)), Name: strings.TrimSpace(in.Name),
		ClientIdentity: strings.TrimSpace(in.ClientIdentity)}
	switch {
	case a.Username == "" || strings.ContainsAny(a.Username, " \t/:@"):
		return Agent{}, &InvalidInputError{Field: "username", Reason: "is empty or has spaces, / : or @"}
	case a.Name == "":
		return Agent{}, &InvalidInputError{Field: "name", Reason: "is empty"}
	case utf8.RuneCountInString(in.Password) < MinPasswordLength:
		return Agent{}, &InvalidInputError{Field: "password", Reason: fmt.Sprintf("needs at least %d characters", MinPasswordLength)}
	case len(in.Password) > 72:
		return Agent{}, &InvalidInputError{Field: "password", Reason: "is longer than 72 bytes"}
	case (in.Phone == "") == (a.ClientIdentity == ""):
		return Agent{}, &InvalidInputError{Field: "phone", Reason: "give either a phone number or a client identity"}
	}
	if in.Phone != "" {
		e164, err := phone.Parse(in.Phone)
		if err != nil {
			return Agent{}, phoneInput(err)
		}
		a.Phone = e164
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.agentCost())
	if err != nil {
		return Agent{}, err
	}
	a.PasswordHash, a.CreatedAt = string(hash), s.clock.Now()
	err = s.Update(ctx, func(o *Op) error {
		if _, err := o.tx.AgentByUsername(a.Username); err == nil {
			return &InvalidInputError{Field: "username", Reason: "is taken"}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if a, err = o.tx.InsertAgent(a); err != nil {
			return err
		}
		return o.audit(0, actor, "agent.add", "%s (%s)", a.Username, a.Name)
	})
	return a, err
}

// AgentByID returns an agent.
func (s *Service) AgentByID(ctx context.Context, id int64) (Agent, error) {
	var a Agent
	err := s.View(ctx, func(r Reader) (err error) { a, err = r.AgentByID(id); return err })
	return a, err
}

// QueuedTransfers lists the calls waiting for an agent, longest waiting first.
func (s *Service) QueuedTransfers(ctx context.Context) ([]Transfer, error) {
	var out []Transfer
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.TransfersWithStatus(TransferQueued, 200); return err })
	return out, err
}

// TransfersToday lists today's transfers (London), newest first, for the supervisor.
func (s *Service) TransfersToday(ctx context.Context) ([]Transfer, error) {
	var out []Transfer
	since := calendar.DateOf(s.clock.Now()).Midnight()
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.Transfers(since, 500); return err })
	return out, err
}

// Transfer returns one transfer.
func (s *Service) Transfer(ctx context.Context, id int64) (Transfer, error) {
	var t Transfer
	err := s.View(ctx, func(r Reader) (err error) { t, err = r.TransferByID(id); return err })
	return t, err
}

// ClaimTransfer gives a waiting call to an agent. Of two agents claiming one call at
// once, exactly one wins; the other gets ErrTaken.
func (s *Service) ClaimTransfer(ctx context.Context, a Agent, id int64) (Transfer, error) {
	var t Transfer
	err := s.Update(ctx, func(o *Op) error {
		var err error
		if t, err = o.tx.TransferByID(id); err != nil {
			return err
		}
		if t.Status != TransferQueued {
			return ErrTaken
		}
		t.Status, t.AgentID, t.UpdatedAt, t.TakenAt = TransferTaken, a.ID, o.now, o.now
		if err := o.tx.UpdateTransfer(t); err != nil {
			return err
		}
		return o.audit(t.ResidentID, a.Actor(), "call.take", "call %s (%s)", phone.Mask(t.From), t.Reason)
	})
	return t, err
}

// EndTransfer records how an agent ended a call they took: handed back to the line
// (TransferReturned) or finished (TransferDone), with a wrap-up note.
func (s *Service) EndTransfer(ctx context.Context, a Agent, id int64, outcome TransferStatus, note string) (Transfer, error) {
	if outcome != TransferReturned && outcome != TransferDone {
		return Transfer{}, &InvalidInputError{Field: "outcome", Reason: "is returned or done"}
	}
	if err := CheckNote(note); err != nil {
		return Transfer{}, err
	}
	var t Transfer
	err := s.Update(ctx, func(o *Op) error {
		var err error
		if t, err = o.heldTransfer(a, id); err != nil {
			return err
		}
		t.Status, t.UpdatedAt = outcome, o.now
		if strings.TrimSpace(note) != "" {
			t.Note = strings.TrimSpace(note)
		}
		if err := o.tx.UpdateTransfer(t); err != nil {
			return err
		}
		return o.audit(t.ResidentID, a.Actor(), "call."+string(outcome), "%s", t.Note)
	})
	return t, err
}

// SignOut is a desk session signed out before it expired, kept until it would have.
type SignOut struct {
	Session string // the session's own identifier (never the whole cookie)
	AgentID int64
	Until   time.Time
}

// SignOut ends an agent's desk session for good: it stays out until it would have
// expired (until), whatever restarts in between, and its row (DeskSession) is marked
// signed out, so it leaves the count of agents signed in at once. now is the desk's time:
// sessions signed out that expired before it are forgotten in the same write.
func (s *Service) SignOut(ctx context.Context, a Agent, session string, until, now time.Time) error {
	if strings.TrimSpace(session) == "" {
		return &InvalidInputError{Field: "session", Reason: "is empty"}
	}
	return s.Update(ctx, func(o *Op) error {
		if err := o.tx.DeleteSignOutsBefore(now); err != nil {
			return err
		}
		if err := o.tx.EndDeskSession(session, o.now); err != nil {
			return err
		}
		return o.tx.InsertSignOut(SignOut{Session: session, AgentID: a.ID, Until: until})
	})
}

// SessionSignedOut reports whether a desk session was signed out.
func (s *Service) SessionSignedOut(ctx context.Context, session string) (bool, error) {
	var out bool
	err := s.View(ctx, func(r Reader) (err error) { out, err = r.SignedOut(session); return err })
	return out, err
}

// SentToPayment records that the agent holding a call sent the caller to the line's
// payment step (the card details go to the line, never to the agent). The desk calls it
// once the call has moved.
func (s *Service) SentToPayment(ctx context.Context, a Agent, id int64) error {
	return s.Update(ctx, func(o *Op) error {
		t, err := o.heldTransfer(a, id)
		if err != nil {
			return err
		}
		return o.audit(t.ResidentID, a.Actor(), "call.to_payment", "call %s sent to the line's payment step",
			phone.Mask(t.From))
	})
}

// MaxNoteLen bounds an agent's wrap-up note, in bytes.
const MaxNoteLen = 2000

// CheckNote refuses a wrap-up note too long to keep. A channel that must act before it
// ends a call (handing it back to the line) checks the note first, so a refusal comes
// before anything has moved.
func CheckNote(note string) error {
	if len(strings.TrimSpace(note)) > MaxNoteLen {
		return &InvalidInputError{Field: "note", Reason: "is longer than 2,000 characters: keep it shorter"}
	}
	return nil
}

// ResendConfirmation queues the visit's confirmation text again, to the resident's mobile.
func (s *Service) ResendConfirmation(ctx context.Context, actor Actor, ref string) error {
	return s.Update(ctx, func(o *Op) error {
		v, err := o.tx.VisitByRef(NormaliseRef(ref))
		if err != nil {
			return fmt.Errorf("visit %s: %w", ref, err)
		}
		if err := authorise(o.tx, actor, v.ResidentID, PermView); err != nil {
			return err
		}
		res, err := o.tx.ResidentByID(v.ResidentID)
		if err != nil {
			return err
		}
		if !phone.IsMobile(res.Phone) {
			return &InvalidInputError{Field: "phone", Reason: "the resident has no mobile to text"}
		}
		kind := NoticeActivated
		if v.Status == VisitCancelled {
			kind = NoticeCancelled
		}
		if out, err := o.tx.OptedOut(res.Phone); err != nil {
			return err
		} else if out {
			return &InvalidInputError{Field: "phone", Reason: "the resident has opted out of texts"}
		}
		if _, err := o.tx.InsertOutgoing(Outgoing{Key: fmt.Sprintf("%s:%s:resend:%s", kind, v.Ref, o.ids.VisitRef()),
			Kind: kind, To: res.Phone, ResidentID: res.ID, VisitID: v.ID, NotBefore: o.now, Status: OutboxPending,
			NextTry: o.now, CreatedAt: o.now, UpdatedAt: o.now}); err != nil {
			return err
		}
		return o.audit(res.ID, actor, "text.resend", "%s for %s", kind, v.Ref)
	})
}

// LookUpAccount lets the agent holding a call the line could not identify open the
// account the caller gives (ErrNotYourCall for anyone else, or a call no longer held), and
// records it on the account's audit with the agent's name ("account.lookup"). The desk
// asks at every showing of the account for that call; the look-up is recorded once per
// call, account and agent, not at every page.
func (s *Service) LookUpAccount(ctx context.Context, a Agent, transferID int64, account string) error {
	return s.Update(ctx, func(o *Op) error {
		t, err := o.heldTransfer(a, transferID)
		if err != nil {
			return err
		}
		res, err := residentByAccount(o.tx, strings.TrimSpace(account))
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("for call %d from %s", t.ID, phone.Mask(t.From))
		recent, err := o.tx.Audit(res.ID, 50)
		if err != nil {
			return err
		}
		for _, e := range recent {
			if e.Action == "account.lookup" && e.Actor == a.Actor() && e.Detail == detail {
				return nil
			}
		}
		return o.audit(res.ID, a.Actor(), "account.lookup", "%s", detail)
	})
}

// heldTransfer loads the transfer id, and refuses it (ErrNotYourCall) unless the agent a
// holds it now.
func (o *Op) heldTransfer(a Agent, id int64) (Transfer, error) {
	t, err := o.tx.TransferByID(id)
	if err != nil {
		return Transfer{}, err
	}
	if t.AgentID != a.ID || t.Status != TransferTaken {
		return Transfer{}, ErrNotYourCall
	}
	return t, nil
}
