package runner

import (
	"context"
	"errors"

	"permitline/domain"
	"permitline/flows"
)

// In steps the conversation key inside op, a write transaction the channel holds (a
// text channel keeps its once-only record, the text and its reply, in the same one).
// With start, it begins a new conversation at the engine's entry with start's values
// (its Channel and Key are set here), replacing any earlier one, and answers in (none,
// usually). Without, in answers the live conversation (not ended, not expired); live is
// false, and nothing changes, when there is none.
func (r *Runner) In(ctx context.Context, op *domain.Op, key string, start *flows.Data, in flows.Input) (reply flows.Reply, live bool, err error) {
	if start != nil {
		reply, err := r.Begin(ctx, op, key, "", *start, in)
		return reply, err == nil, err
	}
	conv, sess, live, err := r.live(op, key)
	if !live || err != nil {
		return flows.Reply{}, false, err
	}
	reply, err = r.stepIn(ctx, op, conv, sess, in)
	return reply, err == nil, err
}

// Begin is In with a start at the start of flow ("" for the engine's entry).
func (r *Runner) Begin(ctx context.Context, op *domain.Op, key, flow string, d flows.Data, in flows.Input) (flows.Reply, error) {
	conv, err := op.Tx().ConversationByKey(r.cfg.Channel, key)
	if errors.Is(err, domain.ErrNotFound) {
		conv = domain.Conversation{}
	} else if err != nil {
		return flows.Reply{}, err
	}
	d.Channel, d.Key = r.cfg.Channel, key
	sess := r.cfg.Engine.New(d)
	if flow != "" {
		sess = r.cfg.Engine.Begin(flow, d)
	}
	return r.stepIn(ctx, op, conv, sess, in)
}

// Live returns the live conversation of key (not ended, not expired), read in op; false
// when there is none.
func (r *Runner) Live(op *domain.Op, key string) (*flows.Session, bool, error) {
	_, sess, live, err := r.live(op, key)
	return sess, live, err
}

func (r *Runner) live(op *domain.Op, key string) (domain.Conversation, *flows.Session, bool, error) {
	conv, err := op.Tx().ConversationByKey(r.cfg.Channel, key)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Conversation{}, nil, false, nil
	} else if err != nil {
		return domain.Conversation{}, nil, false, err
	}
	if conv.Ended || !op.Now().Before(conv.ExpiresAt) {
		return domain.Conversation{}, nil, false, nil
	}
	sess, err := decode(conv)
	if err != nil {
		return domain.Conversation{}, nil, false, err
	}
	return conv, sess, true, nil
}

// stepIn steps sess with in and saves it over conv, in op, unless it ended at once and
// conv was no live conversation to replace.
func (r *Runner) stepIn(ctx context.Context, op *domain.Op, conv domain.Conversation, sess *flows.Session,
	in flows.Input) (flows.Reply, error) {
	reply, err := r.cfg.Engine.Step(&flows.Ctx{Context: ctx, Op: op, Svc: r.cfg.Svc}, sess, in)
	if err != nil {
		return flows.Reply{}, err
	}
	if ended(reply) && (conv.ID == 0 || conv.Ended || !op.Now().Before(conv.ExpiresAt)) {
		// A one-shot command (a balance, the hours) that replaced no live conversation:
		// there is nothing to keep, and no row to write.
		return reply, nil
	}
	if _, err := r.save(op, conv, sess, reply); err != nil {
		return flows.Reply{}, err
	}
	return reply, nil
}
