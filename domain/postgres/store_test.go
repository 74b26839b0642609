package postgres_test

import (
	"testing"

	"permitline/domain/storetest"
)

// TestSuite runs the suite every engine passes on PostgreSQL.
func TestSuite(t *testing.T) { storetest.Run(t, storetest.Postgres.Open) }
