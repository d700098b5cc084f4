package sqlite_test

import (
	"reflect"
	"testing"
	"time"

	"creditbank/domain"
)

func timeNow() time.Time { return domain.Now(time.Now()) }

func storetestDeepEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("differs after reopen:\n got %+v\nwant %+v", got, want)
	}
}
