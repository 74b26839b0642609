package domain

import (
	"context"
	"errors"
	"time"
)

// ErrConflict is returned when a record changed since it was read: a webhook raced
// another for the same conversation.
var ErrConflict = errors.New("changed by another request")

// Conversation is the saved state of one call or one text thread between webhooks: the
// flow and state it is in and the values collected so far, versioned so two webhooks
// for the same conversation can never both move it on.
type Conversation struct {
	ID        int64
	Channel   Channel
	Key       string // the CallSid, or the SMS number pair
	Flow      string
	State     string
	Data      []byte // the flow's collected values, JSON
	Ended     bool
	Version   int // bumped by every save
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
}

// StepReply is the answer given at one step of a conversation, kept so that a repeated
// webhook for that step gets the same answer and does nothing twice.
type StepReply struct {
	ConversationID int64
	Step           int
	InputHash      string
	Reply          []byte
	CreatedAt      time.Time
}

// ConversationRetention is how long a conversation, and the replies kept for its steps,
// stay after the conversation expired: long enough to look into what a caller heard
// during the week, then deleted (Service.PruneConversations). A transfer to the helpdesk
// keeps its own copy of what the caller did, and the audit keeps every change.
const ConversationRetention = 7 * 24 * time.Hour

// PruneConversations deletes up to limit conversations (with their kept replies) that
// expired more than ConversationRetention ago, oldest first, and returns how many it
// deleted: fewer than limit when none is left.
func (s *Service) PruneConversations(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, &InvalidInputError{Field: "limit", Reason: "is 1 or more"}
	}
	var n int
	err := s.Update(ctx, func(o *Op) (err error) {
		n, err = o.tx.DeleteConversationsExpiredBefore(o.now.Add(-ConversationRetention), limit)
		return err
	})
	return n, err
}

// TransferStatus is where a transfer to the helpdesk stands.
type TransferStatus string

// The states of a transfer.
const (
	TransferQueued    TransferStatus = "queued"
	TransferAbandoned TransferStatus = "abandoned" // the caller hung up in the queue
	TransferTaken     TransferStatus = "taken"
	TransferReturned  TransferStatus = "returned" // handed back to the automated line
	TransferDone      TransferStatus = "done"
	// TransferCallback is a caller who chose to be called back and hung up, keeping their
	// place: the callback carries on from there.
	TransferCallback TransferStatus = "callback"
)

// Transfer is a call handed to the helpdesk queue with the whole context of what the
// caller did, for the agent who takes it.
type Transfer struct {
	ID         int64
	CallSid    string
	From       string // E.164 or the raw caller id
	ResidentID int64  // 0 when the caller was not identified
	Caller     Actor
	Verified   bool // the PIN was passed
	Flow       string
	State      string
	Reason     string
	Context    []byte // what was entered and what failed, JSON
	Status     TransferStatus
	AgentID    int64
	Note       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// TakenAt is when an agent took the call (zero until then): the wait in the queue is
	// TakenAt - CreatedAt.
	TakenAt time.Time
}
