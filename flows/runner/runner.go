// Package runner owns a conversation's life for every channel: load it (or take it from
// the cache), answer a repeated step with the reply kept for it, step the flow (on a
// read-only snapshot first where that is safe), save it with the version check, keep the
// reply, and cache it for the next step. A channel only turns a request into an input,
// calls the runner and renders what it answers; it never touches the conversation record.
//
// A call steps with Step, one webhook at a time, each numbered by the step it answers. A
// text thread has no step numbers: its once-only record is the text itself, kept by the
// channel in its own write transaction, inside which it calls In.
package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"permitline/domain"
	"permitline/flows"
)

// Config is how a runner is set up, one per channel.
type Config struct {
	Svc     *domain.Service
	Engine  *flows.Engine
	Channel domain.Channel
	// TTL is how long a conversation is kept once it is no longer moving.
	TTL time.Duration
	// Render is the channel's document for a reply: the one answered, and kept for a
	// repeat of the step. step is the step the person's next answer belongs to. Needed by
	// Step and Resume only.
	Render func(reply flows.Reply, step int, now time.Time) (string, error)
	// Transfer, when set, records a conversation put through to the helpdesk, in the
	// step's write transaction.
	Transfer func(op *domain.Op, sess *flows.Session, reason string) error
}

// Runner runs the conversations of one channel.
type Runner struct {
	cfg   Config
	cache cache
}

// New returns a runner.
func New(cfg Config) *Runner { return &Runner{cfg: cfg} }

// ErrAhead is a step numbered ahead of its conversation: no such question was asked.
var ErrAhead = errors.New("step ahead of the conversation")

// Result is what a step answered.
type Result struct {
	Doc   string // the document to answer with
	Flow  string // where the conversation stands after the step
	State string
	// Repeat: the step was answered before; Doc is the reply kept for it, and nothing
	// changed. OtherInput: and it came with other input than the first time.
	Repeat, OtherInput bool
	// Late: a step after the conversation ended; Doc is a lone hangup. Acted: it was a
	// payment result the conversation waited for, and it was recorded.
	Late, Acted bool
}

// maxAttempts is how many times a step is taken again after a version conflict.
const maxAttempts = 3

// Step answers step of the conversation key with in. Step 0 starts it with start (its
// Channel and Key are set here); a step of a conversation the store no longer holds
// (expired) starts it afresh too. A step already answered is answered again with its
// kept reply; a step after the conversation ended is late (see Result); a step ahead of
// it is ErrAhead. Another webhook moving the conversation on at the same moment
// (domain.ErrConflict) sends the step back to the store, where it is answered as a repeat.
func (r *Runner) Step(ctx context.Context, key string, step int, in flows.Input, start flows.Data) (Result, error) {
	start.Channel, start.Key = r.cfg.Channel, key
	for attempt := 0; ; attempt++ {
		// The common case: the next step of a conversation this runner answered last.
		c, ok := r.cache.take(key, step)
		if step == 0 && attempt == 0 {
			// A call's first webhook: nothing is stored for it yet, but for a repeat. It
			// is begun without looking first; a repeat's save of the new conversation
			// conflicts, and the next attempt finds the call and answers it as a repeat.
			c, ok = cached{sess: r.cfg.Engine.New(start)}, true
		}
		if !ok || attempt > 0 {
			conv, err := r.load(ctx, key)
			switch {
			case errors.Is(err, domain.ErrNotFound):
				step, in = 0, flows.Input{}
			case err != nil:
				return Result{}, err
			default:
				if res, done, err := r.replay(ctx, conv, step, in); done || err != nil {
					return res, err
				}
				if conv.Ended {
					res, err := r.late(ctx, conv, step, in)
					if errors.Is(err, domain.ErrConflict) && attempt < maxAttempts {
						continue // the same webhook again, at the same moment: answer as a repeat
					}
					return res, err
				}
				if step > conv.Version {
					return Result{}, fmt.Errorf("%w: step %d, conversation at %d", ErrAhead, step, conv.Version)
				}
			}
			c = cached{conv: conv, sess: r.cfg.Engine.New(start)}
			if conv.ID != 0 {
				if c.sess, err = decode(conv); err != nil {
					return Result{}, err
				}
			}
		}
		doc, sess, err := r.commit(ctx, c.conv, c.sess, step, in)
		if errors.Is(err, domain.ErrConflict) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return Result{}, err
		}
		return Result{Doc: doc, Flow: sess.Flow, State: sess.State}, nil
	}
}

// Resume moves the conversation key where move puts it (an agent hands a call back to
// the line) and answers from there. Its reply is kept apart from the steps' own (at
// minus the version it resumed from): a hand-back answers no question the person heard.
func (r *Runner) Resume(ctx context.Context, key string, move func(*flows.Engine, *flows.Session)) (string, error) {
	conv, err := r.load(ctx, key)
	if err != nil {
		return "", err
	}
	sess, err := decode(conv)
	if err != nil {
		return "", err
	}
	move(r.cfg.Engine, sess)
	doc, _, err := r.commit(ctx, conv, sess, -conv.Version, flows.Input{})
	return doc, err
}

// End closes the conversation key, if there is one, in op: the call is over.
func (r *Runner) End(op *domain.Op, key string) error {
	r.cache.drop(key)
	c, err := op.Tx().ConversationByKey(r.cfg.Channel, key)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && c.Ended) {
		return nil
	} else if err != nil {
		return err
	}
	c.Ended, c.UpdatedAt = true, op.Now()
	_, err = op.Tx().UpdateConversation(c)
	return err
}

func (r *Runner) load(ctx context.Context, key string) (domain.Conversation, error) {
	var c domain.Conversation
	err := r.cfg.Svc.View(ctx, func(rd domain.Reader) (err error) {
		c, err = rd.ConversationByKey(r.cfg.Channel, key)
		return err
	})
	return c, err
}

// replay answers a step already taken with the reply kept for it.
func (r *Runner) replay(ctx context.Context, c domain.Conversation, step int, in flows.Input) (Result, bool, error) {
	if step >= c.Version && !(step == 0 && c.ID != 0) {
		return Result{}, false, nil
	}
	var sr domain.StepReply
	err := r.cfg.Svc.View(ctx, func(rd domain.Reader) (err error) { sr, err = rd.StepReply(c.ID, step); return err })
	if errors.Is(err, domain.ErrNotFound) && c.Ended {
		// The call's status callback ended the conversation before this step's answer
		// came (Twilio sends them in no fixed order): not a repeat, a late answer.
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("the reply kept for step %d: %w", step, err)
	}
	// Twilio never answers one step twice with different input: someone else did.
	return Result{Doc: string(sr.Reply), Flow: c.Flow, State: c.State, Repeat: true,
		OtherInput: sr.InputHash != r.inputHash(in)}, true, nil
}

// commit steps the flow and saves the step, and returns the reply and the session as
// the step left it (sess, or the copy of it stepped on trial). A step that only reads (most of them) is
// stepped on a snapshot outside the one writer, which then only saves the conversation
// and the reply; a step that writes, or that failed on trial, runs whole in one write
// transaction. A state marked as one that writes (flows.State.Writes: a confirmed visit,
// a payment, a cancellation) skips the trial, which would only be thrown away.
func (r *Runner) commit(ctx context.Context, conv domain.Conversation, sess *flows.Session, step int,
	in flows.Input) (string, *flows.Session, error) {
	if !r.cfg.Engine.Writes(sess) {
		trial := sess.Clone()
		if doc, saved, err := r.commitRead(ctx, conv, trial, step, in); !errors.Is(err, errWrites) {
			r.keep(saved, trial, err)
			return doc, trial, err
		}
	}
	var (
		doc   string
		saved domain.Conversation
	)
	// A store may run fn again (PostgreSQL, after a serialisation failure): each run steps
	// the session from where the step began.
	start := sess.Clone()
	err := r.cfg.Svc.Update(ctx, func(op *domain.Op) error {
		*sess = *start.Clone()
		reply, err := r.cfg.Engine.Step(&flows.Ctx{Context: ctx, Op: op, Svc: r.cfg.Svc}, sess, in)
		if err != nil {
			return err
		}
		if reply.End == flows.EndTransfer && r.cfg.Transfer != nil {
			if err := r.cfg.Transfer(op, sess, reply.Transfer); err != nil {
				return err
			}
		}
		next, err := r.save(op, conv, sess, reply)
		if err != nil {
			return err
		}
		if doc, err = r.cfg.Render(reply, next.Version, op.Now()); err != nil {
			return err
		}
		saved = next
		return op.Tx().InsertStepReply(r.stepReply(next, step, in, doc, op.Now()))
	})
	r.keep(saved, sess, err)
	return doc, sess, err
}

// errWrites sends a step from its trial to a write transaction.
var errWrites = errors.New("the step writes")

// commitRead steps the flow on a snapshot and, if that wrote nothing, renders the reply
// and saves the conversation and the reply in a short write. errWrites: run the step
// whole in a write transaction instead (nothing was saved).
func (r *Runner) commitRead(ctx context.Context, conv domain.Conversation, sess *flows.Session, step int,
	in flows.Input) (string, domain.Conversation, error) {
	var (
		reply flows.Reply
		now   time.Time
	)
	err := r.cfg.Svc.TryReadOnly(ctx, func(op *domain.Op) (err error) {
		now = op.Now()
		reply, err = r.cfg.Engine.Step(&flows.Ctx{Context: ctx, Op: op, Svc: r.cfg.Svc}, sess, in)
		return err
	})
	if err != nil || reply.End == flows.EndTransfer {
		// A write, a refusal or a failure: the write transaction decides, as it always has.
		return "", domain.Conversation{}, errWrites
	}
	next, err := r.next(conv, sess, reply, now)
	if err != nil {
		return "", domain.Conversation{}, err
	}
	version := conv.Version + 1
	doc, err := r.cfg.Render(reply, version, now)
	if err != nil {
		return "", domain.Conversation{}, err
	}
	saved, err := r.cfg.Svc.SaveStep(ctx, next, func(saved domain.Conversation) (domain.StepReply, error) {
		if saved.Version != version {
			return domain.StepReply{}, fmt.Errorf("conversation %d saved at version %d, rendered for %d", saved.ID, saved.Version, version)
		}
		return r.stepReply(saved, step, in, doc, now), nil
	})
	return doc, saved, err
}

// late answers a step of a conversation that has ended. The caller is gone, so the
// answer is a lone hangup; a payment result the call was waiting for is still recorded
// (a payment taken is never lost), with the conversation, in one write transaction, and
// the reply is kept so that a repeat of the webhook does nothing twice. Any other late
// answer (a <Gather> action, the <Redirect> after one) changes nothing.
func (r *Runner) late(ctx context.Context, conv domain.Conversation, step int, in flows.Input) (Result, error) {
	doc, err := r.cfg.Render(flows.Reply{End: flows.EndHangup}, step, r.cfg.Svc.Now())
	if err != nil {
		return Result{}, err
	}
	res := Result{Doc: doc, Flow: conv.Flow, State: conv.State, Late: true}
	if in.Kind != flows.InputPay || step < conv.Version-1 || step > conv.Version {
		return res, nil
	}
	sess, err := decode(conv)
	if err != nil {
		return Result{}, err
	}
	start := sess.Clone()
	err = r.cfg.Svc.Update(ctx, func(op *domain.Op) error {
		*sess = *start.Clone() // a run again steps from the start, as in commit
		reply, ok, err := r.cfg.Engine.Late(&flows.Ctx{Context: ctx, Op: op, Svc: r.cfg.Svc}, sess, in)
		if res.Acted = ok; err != nil || !ok {
			return err
		}
		saved, err := r.save(op, conv, sess, reply)
		if err != nil {
			return err
		}
		return op.Tx().InsertStepReply(r.stepReply(saved, step, in, doc, op.Now()))
	})
	if err != nil {
		return Result{}, err
	}
	res.Flow, res.State = sess.Flow, sess.State
	return res, nil
}

// keep remembers the session a step committed, for the conversation's next step.
func (r *Runner) keep(saved domain.Conversation, sess *flows.Session, err error) {
	if err == nil && !saved.Ended {
		r.cache.put(saved, sess)
		return
	}
	r.cache.drop(sess.Data.Key)
}
