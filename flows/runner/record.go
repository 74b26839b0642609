package runner

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"permitline/domain"
	"permitline/flows"
)

// ended reports whether a reply ends its conversation. A transfer does not: the call
// waits in the helpdesk queue, an agent may hand it back to the line (Resume), and the
// call's end comes from its status callback (End).
func ended(reply flows.Reply) bool { return reply.End == flows.EndHangup }

// next is the conversation as a step leaves it, to be saved over conv.
func (r *Runner) next(conv domain.Conversation, sess *flows.Session, reply flows.Reply, now time.Time) (domain.Conversation, error) {
	data, err := json.Marshal(sess.Data)
	if err != nil {
		return domain.Conversation{}, fmt.Errorf("encoding conversation %s: %w", sess.Data.Key, err)
	}
	return domain.Conversation{ID: conv.ID, Channel: r.cfg.Channel, Key: sess.Data.Key, Flow: sess.Flow,
		State: sess.State, Data: data, Ended: ended(reply), Version: conv.Version,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(r.cfg.TTL)}, nil
}

// save writes the conversation as a step leaves it over conv (a new one when conv has
// no ID), with the version check, and returns it as saved.
func (r *Runner) save(op *domain.Op, conv domain.Conversation, sess *flows.Session, reply flows.Reply) (domain.Conversation, error) {
	next, err := r.next(conv, sess, reply, op.Now())
	if err != nil {
		return domain.Conversation{}, err
	}
	if conv.ID == 0 {
		return op.Tx().InsertConversation(next)
	}
	return op.Tx().UpdateConversation(next)
}

func decode(c domain.Conversation) (*flows.Session, error) {
	s := &flows.Session{Flow: c.Flow, State: c.State}
	if err := json.Unmarshal(c.Data, &s.Data); err != nil {
		return nil, fmt.Errorf("reading conversation %d: %w", c.ID, err)
	}
	return s, nil
}

// stepReply is the reply kept for step of the saved conversation, for a repeat of it.
func (r *Runner) stepReply(saved domain.Conversation, step int, in flows.Input, doc string, now time.Time) domain.StepReply {
	return domain.StepReply{ConversationID: saved.ID, Step: step, InputHash: r.inputHash(in), Reply: []byte(doc),
		CreatedAt: now}
}

// inputHash is what is kept of a step's input, to tell a true repeat of the step from
// other input: a keyed digest (domain.Service.SecretTag), as the keys may be a PIN, and
// an unkeyed hash of up to six digits is read back by trying them all. Without a PIN key
// only the kind of input is kept.
func (r *Runner) inputHash(in flows.Input) string {
	data := []byte(string(in.Kind) + "\x00" + in.Keys + "\x00" + in.Speech + "\x00" + in.Pay.Result +
		"\x00" + in.Pay.ConfirmationCode)
	tag := r.cfg.Svc.SecretTag("voice step input", data)
	if tag == nil {
		tag = []byte(in.Kind)
	}
	return hex.EncodeToString(tag[:min(8, len(tag))])
}
