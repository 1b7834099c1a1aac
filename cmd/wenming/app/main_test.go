package app_test

import (
	"os"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestMain drops this test process's PostgreSQL template database (storetest) at the end.
func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}
