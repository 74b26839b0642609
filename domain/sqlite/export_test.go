package sqlite

import "database/sql"

// WriteDB returns the store's write pool (one connection), for tests that inspect it.
func WriteDB(s *Store) *sql.DB { return s.writeDB }

// ReadDB returns the store's read pool.
func ReadDB(s *Store) *sql.DB { return s.read }

// ReaderSQL is the SQL text of the Reader lookups that take an argument, by method name.
var ReaderSQL = map[string]string{
	"ResidentByAccount": sqlResidentByAccount,
	"SignedOut":         sqlSignedOut,
	// Not a Reader lookup: the search of the conversations to prune.
	"ExpiredConversations": sqlExpiredConversations,
	"ResidentsByPhone":     sqlResidentsByPhone,
	"AddressesByLine":      sqlAddressesByKey,
	"ResidentsAt":          sqlResidentsAt,
	"MembersByPhone":       sqlMembersByPhone,
	"Members":              sqlMembers,
	"LatestRegistration":   sqlLatestRegistration,
	"Vehicles":             sqlVehicles,
	"PaymentByKey":         sqlPaymentByKey,
	"PermitsBought":        sqlPermitsBought,
	"PermitsExpiringAfter": sqlPermitsExpiringAfter,
	"PermitsForPayment":    sqlPermitsForPayment,
	"VisitByRef":           sqlVisitByRef,
	"VisitByKey":           sqlVisitByKey,
	"ActiveVisit":          sqlActiveVisit,
	"VisitsFrom":           sqlVisitsFrom,
	"VisitsCovering":       sqlVisitsCovering,
	"Audit":                sqlAudit,
	"RefundByRef":          sqlRefundByRef,
	"RefundsDue":           sqlRefundsDue,
	"RefundsOf":            sqlRefundsOf,
}
