package mongo

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"creditbank/domain"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/storetest"
)

// stepDown is what a write meets when the primary steps down under it.
var stepDown = mongo.CommandError{Code: 10107, Name: "NotWritablePrimary", Message: "not primary", Labels: []string{"RetryableWriteError"}}

func TestOutageErrorsAreUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error // nil: neither unavailable, conflict nor not-found
	}{
		{"not writable primary", stepDown, domain.ErrUnavailable},
		{"primary stepped down", mongo.CommandError{Code: 189, Name: "PrimarySteppedDown"}, domain.ErrUnavailable},
		{"interrupted by a replica-set change", mongo.CommandError{Code: 11602}, domain.ErrUnavailable},
		{"shutting down", mongo.CommandError{Code: 91}, domain.ErrUnavailable},
		{"network error label", mongo.CommandError{Labels: []string{"NetworkError"}, Message: "connection reset"}, domain.ErrUnavailable},
		{"retryable label only", mongo.CommandError{Code: 1, Labels: []string{"RetryableWriteError"}}, domain.ErrUnavailable},
		{"no server selectable", topology.ServerSelectionError{Wrapped: topology.ErrServerSelectionTimeout}, domain.ErrUnavailable},
		{"selection cut short by the request", topology.ServerSelectionError{Wrapped: context.DeadlineExceeded}, domain.ErrUnavailable},
		{"client disconnected", mongo.ErrClientDisconnected, domain.ErrUnavailable},
		{"majority not acknowledged", mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 64, Name: "WriteConcernFailed"}}, domain.ErrUnavailable},
		{"duplicate key stays a conflict", mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 11000, Message: "E11000 duplicate key"}}}, domain.ErrConflict},
		{"no document stays not-found", mongo.ErrNoDocuments, domain.ErrNotFound},
		{"bad query is internal", mongo.CommandError{Code: 2, Name: "BadValue"}, nil},
		{"cancelled request is not an outage", context.Canceled, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapErr("update account", tc.err)
			for _, e := range []error{domain.ErrUnavailable, domain.ErrConflict, domain.ErrNotFound} {
				if errors.Is(got, e) != (e == tc.want) {
					t.Fatalf("mapErr(%v) = %v; errors.Is(%v) = %v", tc.err, got, e, errors.Is(got, e))
				}
			}
		})
	}
}

func TestRetryableWritesCannotBeSwitchedOff(t *testing.T) {
	co := clientOptions("mongodb://db.example:27017/creditbank?retryWrites=false&retryReads=false")
	if co.RetryWrites == nil || !*co.RetryWrites || co.RetryReads == nil || !*co.RetryReads {
		t.Fatalf("retryWrites=%v retryReads=%v, want both on", co.RetryWrites, co.RetryReads)
	}
	if co.WriteConcern == nil || co.WriteConcern.W != "majority" {
		t.Fatalf("write concern = %+v, want majority", co.WriteConcern)
	}
}

// TestStepDownAfterWriteIsNotAppliedTwice: the primary applies an account
// save and steps down before acknowledging it. The adapter reports a
// retryable outage; a blind retry of the same save is refused by the
// version compare-and-swap (never applied twice), and a reload shows the
// save landed, which is how the service recognises it.
func TestStepDownAfterWriteIsNotAppliedTwice(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, ferrettest.Start(t), WithDatabase(ferrettest.DatabaseName(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.DropDatabase(context.Background()); _ = s.Close() })
	f := storetest.NewFaulty(s)
	a := storetest.NewAccount(domain.Now(time.Now()))
	if err := f.CreateAccount(ctx, nil, a); err != nil {
		t.Fatal(err)
	}
	f.LoseUpdateAcks(1, mapErr("update account", stepDown))
	a.Name = "王秀兰（更名）"
	err = f.UpdateAccount(ctx, nil, a)
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("save with a lost acknowledgement: %v, want ErrUnavailable", err)
	}
	if err := f.UpdateAccount(ctx, nil, a); !errors.Is(err, domain.ErrStale) {
		t.Fatalf("blind retry of the same save: %v, want ErrStale (already applied)", err)
	}
	got, err := f.GetAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != a.Version+1 || got.Name != a.Name {
		t.Fatalf("stored version %d name %q, want version %d name %q: saved exactly once", got.Version, got.Name, a.Version+1, a.Name)
	}
}

// TestLostConnectionIsUnavailable: once the connection to the server is
// gone, reads and writes are retryable outages (503), not internal errors.
func TestLostConnectionIsUnavailable(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, ferrettest.Start(t), WithDatabase(ferrettest.DatabaseName(t)))
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.NewAccount(domain.Now(time.Now()))
	if err := s.CreateAccount(ctx, nil, a); err != nil {
		t.Fatal(err)
	}
	if err := s.DropDatabase(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAccount(ctx, a.ID); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("read after the connection is gone: %v, want ErrUnavailable", err)
	}
	if err := s.UpdateAccount(ctx, nil, a); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("write after the connection is gone: %v, want ErrUnavailable", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("ping after the connection is gone succeeded")
	}
}
