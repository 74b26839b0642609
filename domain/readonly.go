package domain

import (
	"context"
	"errors"
	"time"
)

// ErrNeedsWrite is returned by TryReadOnly when fn tried to write: run it in Update.
var ErrNeedsWrite = errors.New("the operation writes")

// TryReadOnly runs fn as Update would, but on a read-only snapshot and outside the one
// writer. Most steps of a conversation only read (a menu, a registration typed in, a
// date checked against the rules): run here, they keep the writer free for the steps
// that write. If fn tries any write, nothing is written, and TryReadOnly returns
// ErrNeedsWrite whatever fn returned: the caller runs fn again, from its start, in
// Update. Every rule that counts is decided in the transaction that writes, so a
// snapshot a moment old decides nothing that matters.
func (s *Service) TryReadOnly(ctx context.Context, fn func(*Op) error) error {
	return s.store.View(ctx, func(r Reader) error {
		ro := &readOnlyTx{Reader: r}
		err := fn(&Op{s: s, tx: ro, now: s.clock.Now(), ids: ro})
		if ro.wrote {
			return ErrNeedsWrite
		}
		return err
	})
}

// readOnlyTx is a Tx on a snapshot whose writes are refused and noted.
type readOnlyTx struct {
	Reader
	wrote bool
}

var _ Tx = (*readOnlyTx)(nil)

func (t *readOnlyTx) refuse() error { t.wrote = true; return ErrNeedsWrite }

// A new account number or reference is only ever drawn to be written; drawing none on
// trial also leaves a seeded IDSource's sequence as Update alone would draw it.
func (t *readOnlyTx) AccountNumber() string { t.wrote = true; return "00000000" }
func (t *readOnlyTx) VisitRef() string      { t.wrote = true; return "TRIAL0" }

func (t *readOnlyTx) UpsertScheme(Scheme) (Scheme, error)          { return Scheme{}, t.refuse() }
func (t *readOnlyTx) InsertAddress(Address) (Address, error)       { return Address{}, t.refuse() }
func (t *readOnlyTx) SetAddressActive(int64, bool) error           { return t.refuse() }
func (t *readOnlyTx) InsertResident(Resident) (Resident, error)    { return Resident{}, t.refuse() }
func (t *readOnlyTx) SetResidentPIN(int64, string) error           { return t.refuse() }
func (t *readOnlyTx) InsertMember(Member) (Member, error)          { return Member{}, t.refuse() }
func (t *readOnlyTx) SetPINState(ActorKind, int64, PINState) error { return t.refuse() }
func (t *readOnlyTx) InsertRegistration(Registration) (Registration, error) {
	return Registration{}, t.refuse()
}
func (t *readOnlyTx) SaveVehicle(Vehicle) (Vehicle, error)     { return Vehicle{}, t.refuse() }
func (t *readOnlyTx) InsertPayment(Payment) (Payment, error)   { return Payment{}, t.refuse() }
func (t *readOnlyTx) InsertPermit(Permit) (Permit, error)      { return Permit{}, t.refuse() }
func (t *readOnlyTx) SetPermitVisitsUsed(int64, int) error     { return t.refuse() }
func (t *readOnlyTx) InsertVisit(Visit) (Visit, error)         { return Visit{}, t.refuse() }
func (t *readOnlyTx) InsertSignOut(SignOut) error              { return t.refuse() }
func (t *readOnlyTx) DeleteSignOutsBefore(time.Time) error     { return t.refuse() }
func (t *readOnlyTx) SetVisitCancelled(int64, time.Time) error { return t.refuse() }
func (t *readOnlyTx) AppendAudit(AuditEntry) error             { return t.refuse() }

func (t *readOnlyTx) SetTransferCaller(int64, int64, Actor, time.Time) error { return t.refuse() }
func (t *readOnlyTx) InsertDeskSession(DeskSession) error                    { return t.refuse() }
func (t *readOnlyTx) TouchDeskSession(string, time.Time) error               { return t.refuse() }
func (t *readOnlyTx) EndDeskSession(string, time.Time) error                 { return t.refuse() }
func (t *readOnlyTx) DeleteDeskSessionsBefore(time.Time) error               { return t.refuse() }

func (t *readOnlyTx) InsertConversation(Conversation) (Conversation, error) {
	return Conversation{}, t.refuse()
}
func (t *readOnlyTx) UpdateConversation(Conversation) (Conversation, error) {
	return Conversation{}, t.refuse()
}
func (t *readOnlyTx) InsertStepReply(StepReply) error { return t.refuse() }
func (t *readOnlyTx) DeleteConversationsExpiredBefore(time.Time, int) (int, error) {
	return 0, t.refuse()
}
func (t *readOnlyTx) InsertTransfer(Transfer) (Transfer, error) { return Transfer{}, t.refuse() }
func (t *readOnlyTx) UpdateTransfer(Transfer) error             { return t.refuse() }
func (t *readOnlyTx) SetOptedOut(string, bool, time.Time) error { return t.refuse() }
func (t *readOnlyTx) InsertText(SentText) error                 { return t.refuse() }
func (t *readOnlyTx) InsertOutgoing(Outgoing) (Outgoing, error) { return Outgoing{}, t.refuse() }
func (t *readOnlyTx) UpdateOutgoing(Outgoing) error             { return t.refuse() }
func (t *readOnlyTx) SkipOutgoingTo(string, time.Time) error    { return t.refuse() }
func (t *readOnlyTx) InsertAgent(Agent) (Agent, error)          { return Agent{}, t.refuse() }

// The desk's sign-in records.
func (t *readOnlyTx) InsertSignInAttempt(SignInAttempt) (SignInAttempt, error) {
	return SignInAttempt{}, t.refuse()
}
func (t *readOnlyTx) DeleteSignInAttempts(string, string) error              { return t.refuse() }
func (t *readOnlyTx) DeleteSignInAttemptsBefore(time.Time) error             { return t.refuse() }
func (t *readOnlyTx) SaveKnownSignInAddress(string, string, time.Time) error { return t.refuse() }
func (t *readOnlyTx) DeleteKnownSignInAddressesBefore(time.Time) error       { return t.refuse() }
func (t *readOnlyTx) ReplaceAgentPasswordHash(int64, string, string) error   { return t.refuse() }

// Refunds due.
func (t *readOnlyTx) InsertRefund(Refund) (Refund, error)          { return Refund{}, t.refuse() }
func (t *readOnlyTx) SettleRefund(string, time.Time, string) error { return t.refuse() }

// Identification and PINs.
func (t *readOnlyTx) SetIdentifyFailures(string, IdentifyFailures) error { return t.refuse() }
func (t *readOnlyTx) DeleteIdentifyFailuresBefore(time.Time, time.Time, int) (int, error) {
	return 0, t.refuse()
}
func (t *readOnlyTx) SetMemberPIN(int64, string) error { return t.refuse() }

// Callbacks and voicemails.
func (t *readOnlyTx) InsertCallback(Callback) (Callback, error)    { return Callback{}, t.refuse() }
func (t *readOnlyTx) UpdateCallback(Callback) error                { return t.refuse() }
func (t *readOnlyTx) UpsertVoicemail(Voicemail) (Voicemail, error) { return Voicemail{}, t.refuse() }
