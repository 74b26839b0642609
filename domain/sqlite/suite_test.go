package sqlite_test

import (
	"testing"

	"permitline/domain/storetest"
)

// TestSuite runs the suite every engine passes on SQLite.
func TestSuite(t *testing.T) { storetest.Run(t, storetest.SQLite.Open) }
