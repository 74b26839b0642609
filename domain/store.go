package domain

import (
	"context"
	"time"

	"permitline/domain/calendar"
)

// Store keeps the service's records. It holds no rules: Service decides, inside one
// Update, everything that counts (R7, R8, R15, R17, R18), so two channels racing cannot
// beat a rule. An engine must make each Update serialisable against every other Update
// (SQLite has one writer; a PostgreSQL engine would lock the resident's row).
type Store interface {
	// View runs fn on a consistent read-only snapshot.
	View(ctx context.Context, fn func(Reader) error) error
	// Update runs fn in one write transaction, committed when fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// StepSaver is a Store that can save a conversation and its step's reply without waiting
// behind the Updates that decide rules. Such a write reads nothing wide: the conversation
// is saved only at the version it was read at, and a step's reply once (a unique key), so
// two of them race safely against each other; they still never run beside an Update, which
// may read the conversation to change it. An engine with one writer (SQLite) has no need.
type StepSaver interface {
	// SaveSteps runs fn, which may only update conversations and insert step replies, in
	// one write transaction, committed when fn returns nil.
	SaveSteps(ctx context.Context, fn func(Tx) error) error
}

// Reader reads records. Lookups of a single record return ErrNotFound when it is missing.
type Reader interface {
	Schemes() ([]Scheme, error)
	SchemeByName(name string) (Scheme, error)
	SchemeByID(id int64) (Scheme, error)
	AddressByID(id int64) (Address, error)
	// AddressByLine finds the address matching line (by AddressKey) at a normalised
	// postcode; where two rows match, an inactive one first (R4).
	AddressByLine(line, postcode string) (Address, error)
	// AddressesByLine lists every address matching line (by AddressKey) at a postcode.
	AddressesByLine(line, postcode string) ([]Address, error)
	// ResidentsAt lists the residents registered at an address, oldest first.
	ResidentsAt(addressID int64) ([]Resident, error)

	ResidentByID(id int64) (Resident, error)
	ResidentByAccount(account string) (Resident, error)
	ResidentsByPhone(e164 string) ([]Resident, error)
	Residents(afterID int64, limit int) ([]Resident, error)
	// FindResidents lists up to limit residents matching value by name (any part, any
	// case), postcode, phone (the holder's or a member's) or registration (a vehicle saved
	// or visited), by name then id.
	FindResidents(by SearchBy, value string, limit int) ([]Resident, error)
	MemberByID(id int64) (Member, error)
	MembersByPhone(e164 string) ([]Member, error)
	Members(residentID int64) ([]Member, error)
	LatestRegistration(residentID int64) (Registration, error)
	Vehicles(residentID int64) ([]Vehicle, error)

	// PermitsBought counts the permits the resident bought in [from, to).
	PermitsBought(residentID int64, from, to time.Time) (int, error)
	// PermitsExpiringAfter lists the resident's permits that expire after t, soonest first.
	PermitsExpiringAfter(residentID int64, t time.Time) ([]Permit, error)
	PaymentByKey(idempotencyKey string) (Payment, error)
	PermitsForPayment(paymentID int64) ([]Permit, error)
	// RefundByRef finds the refund due for a payment reference (R24).
	RefundByRef(paymentRef string) (Refund, error)
	// Refunds lists the refunds still due, or all of them with settled, oldest first.
	Refunds(settled bool, limit int) ([]Refund, error)
	// RefundsOf lists a resident's refunds, newest first.
	RefundsOf(residentID int64) ([]Refund, error)

	VisitByRef(ref string) (Visit, error)
	VisitByKey(idempotencyKey string) (Visit, error)
	// ActiveVisit finds the resident's active visit for vrm in a scheme on a date.
	ActiveVisit(residentID, schemeID int64, vrm string, date calendar.Date) (Visit, error)
	// VisitsFrom lists the resident's visits on or after date, earliest first.
	VisitsFrom(residentID int64, date calendar.Date, limit int) ([]Visit, error)
	// VisitsCovering lists active visits of vrm in a scheme whose window holds t.
	VisitsCovering(vrm string, schemeID int64, t time.Time) ([]Visit, error)

	// Audit lists the newest entries about an account, newest first.
	Audit(residentID int64, limit int) ([]AuditEntry, error)

	ConversationByKey(ch Channel, key string) (Conversation, error)
	StepReply(conversationID int64, step int) (StepReply, error)
	TransferByCall(callSid string) (Transfer, error)
	// Transfers lists transfers created at or after since, newest first.
	Transfers(since time.Time, limit int) ([]Transfer, error)

	OptedOut(e164 string) (bool, error)
	TextByMessageSid(messageSid string) (SentText, error)
	OutgoingByID(id int64) (Outgoing, error)
	OutgoingByProviderSid(sid string) (Outgoing, error)
	// OutgoingByKey returns the text queued under its once-only key, or ErrNotFound.
	OutgoingByKey(key string) (Outgoing, error)
	// DueOutgoing lists texts to send at t: pending ones whose next try has come, and ones
	// left "sending" since before stale (their sender stopped); oldest first.
	DueOutgoing(t, stale time.Time, limit int) ([]Outgoing, error)
	VisitByID(id int64) (Visit, error)
	// OutboxFigures counts the outbox's texts as they stand at now.
	OutboxFigures(now time.Time) (OutboxFigures, error)

	AgentByID(id int64) (Agent, error)
	AgentByUsername(username string) (Agent, error)
	TransferByID(id int64) (Transfer, error)
	// TransfersWithStatus lists transfers in a status, oldest first.
	TransfersWithStatus(s TransferStatus, limit int) ([]Transfer, error)
	// CountTransfers counts the transfers in a status.
	CountTransfers(s TransferStatus) (int, error)
	// SignedOut reports whether the desk session was signed out (and is still kept).
	SignedOut(session string) (bool, error)
	SignInReader
	SessionReader

	// IdentifyFailures returns the failed identifications counted for a calling number
	// (the zero count when there are none).
	IdentifyFailures(caller string) (IdentifyFailures, error)

	CallbackByID(id int64) (Callback, error)
	CallbackByCall(callSid string) (Callback, error)
	CallbackByOutboundSid(sid string) (Callback, error)
	// OpenCallbackOf finds the callback still to be made (pending or calling) for a
	// resident, or, for residentID 0, to number.
	OpenCallbackOf(residentID int64, number string) (Callback, error)
	// CallbacksWithStatus lists callbacks in a status, by DueAt then id.
	CallbacksWithStatus(s CallbackStatus, limit int) ([]Callback, error)
	// CallbacksSince lists the callbacks updated at or after since, newest first.
	CallbacksSince(since time.Time, limit int) ([]Callback, error)
	CountCallbacks(s CallbackStatus) (int, error)
	VoicemailByID(id int64) (Voicemail, error)
	VoicemailByCall(callSid string) (Voicemail, error)
	// VoicemailsWithStatus lists messages in a status, oldest first.
	VoicemailsWithStatus(s VoicemailStatus, limit int) ([]Voicemail, error)
	CountVoicemails(s VoicemailStatus) (int, error)
}

// Tx is a write transaction: reads see its own writes.
type Tx interface {
	Reader
	UpsertScheme(s Scheme) (Scheme, error)
	InsertAddress(a Address) (Address, error)
	SetAddressActive(id int64, active bool) error
	InsertResident(r Resident) (Resident, error)
	SetResidentPIN(id int64, hash string) error
	InsertMember(m Member) (Member, error)
	// SetPINState stores the failure count and lockout of a resident or member.
	SetPINState(kind ActorKind, id int64, st PINState) error
	InsertRegistration(r Registration) (Registration, error)
	// SaveVehicle inserts or updates the resident's vehicle with that VRM.
	SaveVehicle(v Vehicle) (Vehicle, error)
	InsertPayment(p Payment) (Payment, error)
	InsertPermit(p Permit) (Permit, error)
	// InsertRefund records a refund due; ErrDuplicate if its payment reference has one.
	InsertRefund(r Refund) (Refund, error)
	// SettleRefund marks the refund of a payment reference settled; ErrNotFound unless it is due.
	SettleRefund(paymentRef string, at time.Time, by string) error
	SetPermitVisitsUsed(permitID int64, used int) error
	InsertVisit(v Visit) (Visit, error)
	SetVisitCancelled(id int64, at time.Time) error
	AppendAudit(e AuditEntry) error

	InsertConversation(c Conversation) (Conversation, error)
	// UpdateConversation saves c if its stored version is still c.Version, and bumps the
	// version; ErrConflict otherwise.
	UpdateConversation(c Conversation) (Conversation, error)
	InsertStepReply(r StepReply) error
	// DeleteConversationsExpiredBefore deletes up to limit conversations that expired
	// before t, oldest first, with their step replies; it returns how many.
	DeleteConversationsExpiredBefore(t time.Time, limit int) (int, error)
	InsertTransfer(t Transfer) (Transfer, error)
	// UpdateTransfer saves a transfer's status, agent, note and when it was taken.
	UpdateTransfer(t Transfer) error
	// SetTransferCaller records the resident and the caller of a transfer the line did
	// not identify, once an agent has.
	SetTransferCaller(id, residentID int64, caller Actor, at time.Time) error
	// InsertCallback records a callback; ErrDuplicate if its call has one, or its resident
	// (or, for a caller not identified, its number) has one still to be made.
	InsertCallback(c Callback) (Callback, error)
	// UpdateCallback saves a callback's status, due time, attempts, agent, call and note.
	UpdateCallback(c Callback) error
	// UpsertVoicemail inserts the message of a call, or saves it over the call's row.
	UpsertVoicemail(v Voicemail) (Voicemail, error)

	SetOptedOut(e164 string, out bool, at time.Time) error
	// InsertText records a received text and its reply; ErrDuplicate if its MessageSid is known.
	InsertText(t SentText) error
	// InsertOutgoing queues a text; a second text with the same key is ignored.
	InsertOutgoing(m Outgoing) (Outgoing, error)
	UpdateOutgoing(m Outgoing) error
	// SkipOutgoingTo drops the texts still waiting for a number.
	SkipOutgoingTo(e164 string, at time.Time) error

	InsertAgent(a Agent) (Agent, error)
	// InsertSignOut keeps a signed-out desk session; again for the same session is ignored.
	InsertSignOut(s SignOut) error
	// DeleteSignOutsBefore forgets the signed-out sessions that expired before t.
	DeleteSignOutsBefore(t time.Time) error
	// SetIdentifyFailures stores the failed identifications counted for a calling number.
	SetIdentifyFailures(caller string, f IdentifyFailures) error
	// DeleteIdentifyFailuresBefore forgets up to limit counts of failed identifications
	// that no longer count: a calling number's whose window started before windowBefore,
	// and a made-up account number's whose lockout ended before lockBefore with no wrong
	// PIN counted since; it returns how many.
	DeleteIdentifyFailuresBefore(windowBefore, lockBefore time.Time, limit int) (int, error)
	// SetMemberPIN replaces a member's PIN hash and clears the failure count.
	SetMemberPIN(id int64, hash string) error

	SignInWriter
	SessionWriter
}

// SignInReader reads the desk's sign-in records.
type SignInReader interface {
	// SignInAttempts lists the attempts for username or from address made after since,
	// oldest first.
	SignInAttempts(username, address string, since time.Time) ([]SignInAttempt, error)
	// KnownSignInAddress reports whether username signed in from address after since.
	KnownSignInAddress(username, address string, since time.Time) (bool, error)
}

// SignInWriter keeps the desk's sign-in records.
type SignInWriter interface {
	InsertSignInAttempt(a SignInAttempt) (SignInAttempt, error)
	// DeleteSignInAttempts forgets the attempts of username from address (a success).
	DeleteSignInAttempts(username, address string) error
	// DeleteSignInAttemptsBefore forgets the attempts made before t.
	DeleteSignInAttemptsBefore(t time.Time) error
	// SaveKnownSignInAddress records that username signed in from address at t.
	SaveKnownSignInAddress(username, address string, at time.Time) error
	// DeleteKnownSignInAddressesBefore forgets the addresses last signed in from before t.
	DeleteKnownSignInAddressesBefore(t time.Time) error
	// ReplaceAgentPasswordHash sets an agent's password hash if it is still old.
	ReplaceAgentPasswordHash(id int64, old, hash string) error
}
