// Package domain holds the visitor-permit rules (R1-R23 in the service rules) and the
// types every channel shares. Nothing in it knows about HTTP, TwiML or SMS text: the
// channels call Service and turn its answers and typed refusals into words.
package domain

import (
	"fmt"
	"strings"
	"time"

	"permitline/domain/calendar"
)

// The numbers the council's page fixes.
const (
	// PermitPrice is the price of one visitor permit (R6).
	PermitPrice Pence = 1800
	// PermitsPerYear is the allowance of permits per resident per permit year (R7).
	PermitsPerYear = 20
	// VisitsPerPermit is how many one-day visits a permit carries (R8).
	VisitsPerPermit = 5
	// PermitValidityMonths is how long a permit lasts from purchase, in months (R8).
	PermitValidityMonths = 12
	// MaxDaysAhead is how far ahead a visit may be activated (R12).
	MaxDaysAhead = 14
	// CancelNotice is how long before its start a visit can still be cancelled (R17).
	CancelNotice = 5 * time.Minute
	// RegistrationValidityMonths is how long an approved registration lasts (R3).
	RegistrationValidityMonths = 3
	// PINAttempts is how many wrong PINs in a row lock an account.
	PINAttempts = 3
	// PINLockout is how long a lockout lasts.
	PINLockout = 30 * time.Minute
	// PermitsTeamEmail is where residents with an inactive address write (R4).
	PermitsTeamEmail = "parking.permits@cambridgeshire.gov.uk"
	// HelpdeskPhone is the helpdesk's number, in every message that sends a resident there (R22).
	HelpdeskPhone = "0345 520 7007"
)

// Pence is an amount of money in pence; money is never a float (R6).
type Pence int64

// String formats the amount as pounds, e.g. "£36.00".
func (p Pence) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s£%d.%02d", sign, p/100, p%100)
}

// Channel is the way an action reached the service (R5).
type Channel string

// The channels.
const (
	ChannelVoice Channel = "voice"
	ChannelSMS   Channel = "sms"
	ChannelAgent Channel = "agent"
	ChannelAdmin Channel = "admin"
)

// ActorKind says who did something (R5).
type ActorKind string

// The kinds of actor.
const (
	ActorResident ActorKind = "resident"
	ActorMember   ActorKind = "member"
	ActorAgent    ActorKind = "agent"
	ActorAdmin    ActorKind = "admin"
)

// Actor is who acts and through which channel; every change records it (R5).
type Actor struct {
	Kind    ActorKind
	ID      int64 // resident, member or agent id; 0 for the back office
	Name    string
	Channel Channel
}

// Admin returns the back-office actor on the admin channel.
func Admin(name string) Actor { return Actor{Kind: ActorAdmin, Name: name, Channel: ChannelAdmin} }

// Permission is what a member may do on a resident's account (R5).
type Permission string

// The permissions.
const (
	PermView     Permission = "view"
	PermActivate Permission = "activate" // activate and cancel visits
	PermBuy      Permission = "buy"
)

// Permissions is a set of permissions.
type Permissions []Permission

// ParsePermissions reads a comma-separated list such as "view,activate".
func ParsePermissions(s string) (Permissions, error) {
	var ps Permissions
	for _, part := range strings.Split(s, ",") {
		p := Permission(strings.ToLower(strings.TrimSpace(part)))
		switch p {
		case PermView, PermActivate, PermBuy:
			if !ps.Has(p) {
				ps = append(ps, p)
			}
		case "":
		default:
			return nil, fmt.Errorf("unknown permission %q (use view, activate, buy)", part)
		}
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no permissions given (use view, activate, buy)")
	}
	return ps, nil
}

// Has reports whether p is in the set.
func (ps Permissions) Has(p Permission) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// String joins the set with commas.
func (ps Permissions) String() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ",")
}

// Scheme is a resident parking scheme area with its operational hours (R1, R13).
type Scheme struct {
	ID    int64
	Name  string
	Hours calendar.OperatingHours
}

// Address is a property on the system; only an active one can be registered (R4).
type Address struct {
	ID       int64
	Line     string
	Postcode string
	SchemeID int64
	Active   bool
}

// Resident is an account holder, registered at one address in one scheme (R1).
type Resident struct {
	ID        int64
	Account   string // the account number residents quote
	Name      string
	AddressID int64
	Phone     string // E.164
	PINHash   string
	PINState
	CreatedAt time.Time
}

// PINState counts failed PIN attempts so a lockout holds across calls and restarts.
type PINState struct {
	PINFailures    int
	PINLockedUntil time.Time
}

// Member is a third party acting on a resident's account (R5).
type Member struct {
	ID          int64
	ResidentID  int64
	Name        string
	Phone       string // E.164
	Permissions Permissions
	PINHash     string
	PINState
	CreatedAt time.Time
}

// Document is a kind of proof of address (R2).
type Document string

// The proofs of address the council accepts (R2).
const (
	DocDrivingLicence   Document = "driving-licence"
	DocTenancyAgreement Document = "tenancy-agreement"
	DocUtilityBill      Document = "utility-bill"
)

// Registration is an approved registration with its proof of address (R2, R3).
type Registration struct {
	ID           int64
	ResidentID   int64
	Document     Document
	DocumentDate calendar.Date // utility bills: the bill's date
	TenancyEnd   calendar.Date // tenancy agreements: when it ends
	ApprovedAt   time.Time
	ExpiresAt    time.Time
}

// ValidAt reports whether the registration is valid at t (R3).
func (r Registration) ValidAt(t time.Time) bool {
	return !r.ApprovedAt.After(t) && t.Before(r.ExpiresAt)
}

// Vehicle is a registration saved on, or recently used by, an account.
type Vehicle struct {
	ID         int64
	ResidentID int64
	VRM        string
	Saved      bool // saved by the resident, not only used
	LastUsedAt time.Time
	CreatedAt  time.Time
}

// Payment is money taken for permits, in pence, once per idempotency key.
type Payment struct {
	ID             int64
	ResidentID     int64
	AmountPence    Pence
	Quantity       int
	ProviderRef    string // e.g. Twilio's PaymentConfirmationCode, or a back-office reference
	IdempotencyKey string
	Channel        Channel
	CreatedAt      time.Time
}

// Permit is a digital visitor permit (R6-R11).
type Permit struct {
	ID          int64
	ResidentID  int64
	SchemeID    int64
	PaymentID   int64
	PurchasedAt time.Time
	ExpiresAt   time.Time
	VisitsUsed  int
}

// VisitsLeft returns the visits the permit still carries.
func (p Permit) VisitsLeft() int { return VisitsPerPermit - p.VisitsUsed }

// ValidAt reports whether the permit is valid at t (R8: 12 months from purchase, the
// expiry instant itself excluded).
func (p Permit) ValidAt(t time.Time) bool { return !p.PurchasedAt.After(t) && t.Before(p.ExpiresAt) }

// VisitStatus is the state of a visit.
type VisitStatus string

// The states of a visit.
const (
	VisitActive    VisitStatus = "active"
	VisitCancelled VisitStatus = "cancelled"
)

// Visit is one day's parking for a visitor's vehicle (R12-R18).
type Visit struct {
	ID          int64
	Ref         string
	ResidentID  int64
	PermitID    int64
	SchemeID    int64
	VRM         string
	Date        calendar.Date
	StartsAt    time.Time
	EndsAt      time.Time
	Status      VisitStatus
	CreatedAt   time.Time
	CancelledAt time.Time
	By          Actor
	// IdempotencyKey makes a retried activation return the first visit.
	IdempotencyKey string
}

// CancelDeadline is the last instant the visit can be cancelled (R17).
func (v Visit) CancelDeadline() time.Time { return v.StartsAt.Add(-CancelNotice) }

// AuditEntry records one change: who, through which channel, when, and what (R5).
type AuditEntry struct {
	ID         int64
	At         time.Time
	ResidentID int64 // 0 when the change is not about one account
	Actor      Actor
	Action     string
	Detail     string
}
