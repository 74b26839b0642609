package flows

import (
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
)

// MsgID names something the line says. Channels render each in their own words.
type MsgID string

// Msg is one thing to say, with the values it needs.
type Msg struct {
	ID    MsgID
	Name  string
	VRM   string
	Date  calendar.Date
	At    time.Time
	Until time.Time
	N     int
	Money domain.Pence
	Ref   string
	Text  string
	// Dates are examples of a date: the next days a visit could be booked for (R12-R14).
	Dates []calendar.Date
	// Err is a rule's refusal to explain, with what the person can do instead.
	Err error
	// Visits are the upcoming visits of an account, earliest first; for MsgActivated, the
	// visit just activated, alone.
	Visits []domain.Visit
	// Balance and Helpdesk carry the figures of a balance or an hours announcement.
	Balance  *domain.Balance
	Helpdesk *calendar.Status
}

// What the line says.
const (
	// Greeting and identification.
	MsgWelcome         MsgID = "welcome"     // the line's name
	MsgThanks          MsgID = "thanks"      // Name: said once the PIN is right, never before
	MsgAskAccount      MsgID = "ask_account" // key the account number
	MsgAccountNotFound MsgID = "account_not_found"
	MsgAskPIN          MsgID = "ask_pin"
	MsgWrongPIN        MsgID = "wrong_pin"       // N tries left
	MsgLockedOut       MsgID = "locked_out"      // Until
	MsgNoPIN           MsgID = "no_pin"          // the account has no phone PIN
	MsgPINHelp         MsgID = "pin_help"        // how to have a PIN reset: the helpdesk (R22) or an agent
	MsgCannotIdentify  MsgID = "cannot_identify" // too many failed identifications from this number

	// Choosing a new PIN after an agent reset it.
	MsgAskNewPIN      MsgID = "ask_new_pin"       // key a new PIN of 4 to 6 digits
	MsgAskNewPINAgain MsgID = "ask_new_pin_again" // key it again
	MsgNewPINInvalid  MsgID = "new_pin_invalid"   // not 4 to 6 digits, or refused
	MsgNewPINMismatch MsgID = "new_pin_mismatch"  // the two keyings differ
	MsgNewPINSet      MsgID = "new_pin_set"
	// The newcomer menu, for callers not registered yet.
	MsgRegisterHow MsgID = "register_how" // online, by post, or with the helpdesk's help (R22)
	MsgOptRegister MsgID = "opt_register"
	MsgOptAccount  MsgID = "opt_account"  // key an account number after all
	MsgOptBack     MsgID = "opt_back"     // back to the choices before
	MsgBackToMenu  MsgID = "back_to_menu" // a lone 9 goes back to the main menu
	// MsgBackToMenuStars: star twice goes back to the main menu, where a lone 9 is an answer.
	MsgBackToMenuStars MsgID = "back_to_menu_stars"
	MsgOptTextRegister MsgID = "opt_text_register" // have how to register texted to the caller's mobile
	MsgRegisterTexted  MsgID = "register_texted"   // the text of how to register is on its way

	// Generic.
	MsgNoInput      MsgID = "no_input"
	MsgWrongKey     MsgID = "wrong_key" // Text: the key pressed
	MsgGoodbye      MsgID = "goodbye"
	MsgStuck        MsgID = "stuck" // several tries failed
	MsgAnythingElse MsgID = "anything_else"

	// Menu options (Option.Msg) and the menu itself.
	MsgMenu         MsgID = "menu"
	MsgOptActivate  MsgID = "opt_activate"
	MsgOptCancel    MsgID = "opt_cancel"
	MsgOptBalance   MsgID = "opt_balance"
	MsgOptBuy       MsgID = "opt_buy"
	MsgOptHours     MsgID = "opt_hours"
	MsgOptAgent     MsgID = "opt_agent"
	MsgOptRepeat    MsgID = "opt_repeat"
	MsgOptMenu      MsgID = "opt_menu"    // go back to the main menu
	MsgOptYes       MsgID = "opt_yes"     // Text: what yes does
	MsgOptNo        MsgID = "opt_no"      // Text: what no does
	MsgOptKeep      MsgID = "opt_keep"    // keep the visit and go back to the main menu
	MsgOptVehicle   MsgID = "opt_vehicle" // VRM
	MsgOptOtherVRM  MsgID = "opt_other_vrm"
	MsgOptToday     MsgID = "opt_today"      // Date
	MsgOptTomorrow  MsgID = "opt_tomorrow"   // Date
	MsgOptOtherDate MsgID = "opt_other_date" // Dates: examples
	MsgOptVisit     MsgID = "opt_visit"      // VRM, Date, Ref
	MsgOptPayCard   MsgID = "opt_pay_card"
	MsgOptRetryPay  MsgID = "opt_retry_pay"
	MsgOptCallback  MsgID = "opt_callback" // be called back when the helpdesk opens
	MsgOptMessage   MsgID = "opt_message"  // leave a message for the helpdesk
	MsgOptIdentify  MsgID = "opt_identify" // go back to identification

	// Activating a visit.
	MsgAskVehicle   MsgID = "ask_vehicle"
	MsgAskVRM       MsgID = "ask_vrm"       // how to key or say a registration
	MsgVRMReadBack  MsgID = "vrm_read_back" // VRM
	MsgAskDate      MsgID = "ask_date"
	MsgAskDayMonth  MsgID = "ask_day_month" // Dates: examples
	MsgBadDate      MsgID = "bad_date"      // Text: why
	MsgUnreadDate   MsgID = "unread_date"   // Text: the words texted as a date, which are none
	MsgBadEntry     MsgID = "bad_entry"     // Text: why the keys made no registration
	MsgConfirmVisit MsgID = "confirm_visit" // VRM, Date, At (start), Until (end)
	MsgActivated    MsgID = "activated"     // Ref, VRM, Date, At (start), Until (cancel deadline), N (visits left)
	MsgRefused      MsgID = "refused"       // Err
	MsgNotActivated MsgID = "not_activated" // the caller said no: nothing was used

	// Cancelling.
	MsgNoCancellable MsgID = "no_cancellable" // N: visits that have started or are too close to start
	MsgAskWhichVisit MsgID = "ask_which_visit"
	MsgConfirmCancel MsgID = "confirm_cancel" // VRM, Date, Ref
	MsgCancelled     MsgID = "cancelled"      // VRM, Date, Ref
	MsgKept          MsgID = "kept"
	MsgAskRef        MsgID = "ask_ref"         // a cancellation texted without a reference
	MsgVisitNotFound MsgID = "visit_not_found" // Ref: no visit of the account has it
	MsgVisits        MsgID = "visits"          // Visits: the upcoming ones

	// Balance and buying.
	MsgBalance     MsgID = "balance"      // Balance
	MsgPrice       MsgID = "price"        // Money (one permit), N (its visits): said before the quantity
	MsgAskQuantity MsgID = "ask_quantity" // N: the most that may be bought
	MsgBadQuantity MsgID = "bad_quantity" // N: the most
	MsgQuote       MsgID = "quote"        // N, Money
	MsgNoRefunds   MsgID = "no_refunds"   // R10
	MsgPaying      MsgID = "paying"       // Money
	MsgPaid        MsgID = "paid"         // N, Money, Until (expiry), Ref (payment reference)
	MsgPayFailed   MsgID = "pay_failed"   // Text: the provider's result
	MsgPaidRefused MsgID = "paid_refused" // Err, Money (the refund due), Ref: taken but refused (R24)

	// The helpdesk.
	MsgHours        MsgID = "hours"        // Helpdesk
	MsgClosed       MsgID = "closed"       // Helpdesk: closed now, next opening (R21)
	MsgTransferring MsgID = "transferring" // Text: why
	MsgQueue        MsgID = "queue"        // N: position
	MsgHelp         MsgID = "help"         // what can be texted

	// Out of hours: a call back or a message (R25).
	MsgCallbackBooked MsgID = "callback_booked" // Text: the number called back, At: when it is due
	MsgAskMessage     MsgID = "ask_message"     // what to say after the tone
	MsgMessageLeft    MsgID = "message_left"
)

// say is shorthand for a message with only an id.
func say(id MsgID) Msg { return Msg{ID: id} }
