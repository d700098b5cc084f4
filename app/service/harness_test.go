package service_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/sqlite"
	"creditbank/storage/sqlite/sqlitetest"
)

// The use-case tests run the service on both stores, each test on a fresh
// database of its own: a SQLite file in the test's temporary directory,
// and a database of its own on one FerretDB server the package shares.

func TestMain(m *testing.M) {
	auth.UseCheapPasswordHashing(m)
	ferrettest.Main(m, emptySQLite.Remove)
}

// emptySQLite is a migrated, empty SQLite store each test copies.
var emptySQLite = sqlitetest.NewTemplate(func(dir string) error {
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "bank.db"))
	if err != nil {
		return err
	}
	return s.Close()
})

var stores = []struct {
	name string
	open func(t *testing.T) storage.Store
}{
	{"sqlite", func(t *testing.T) storage.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(emptySQLite.Copy(t), "bank.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		return s
	}},
	{"mongo", func(t *testing.T) storage.Store {
		s, err := mongo.Open(t.Context(), ferrettest.Start(t), mongo.WithDatabase(ferrettest.DatabaseName(t)))
		if err != nil {
			t.Fatalf("open mongo: %v", err)
		}
		return s
	}},
}

// onEachStore runs fn once per store, as parallel subtests named after the
// store, each on a bank of its own: most of a test's time is spent waiting
// for commits to reach the disk.
func onEachStore(t *testing.T, fn func(t *testing.T, b *bank)) {
	t.Helper()
	onStores(t, func(storage.Store) string { return "" }, fn)
}

// onStoresCarryingReservations is onEachStore skipping the stores that do
// not carry Idempotency-Key reservations with their writes.
func onStoresCarryingReservations(t *testing.T, fn func(t *testing.T, b *bank)) {
	t.Helper()
	onStores(t, func(s storage.Store) string {
		if s.CarriesReservations() {
			return ""
		}
		return "the store reserves keys before the use case runs"
	}, fn)
}

// onStores runs fn on each store for which skip says no reason to skip.
func onStores(t *testing.T, skip func(storage.Store) string, fn func(t *testing.T, b *bank)) {
	t.Helper()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := st.open(t)
			if why := skip(s); why != "" {
				s.Close()
				t.Skip(why)
			}
			fn(t, newBank(t, s))
		})
	}
}

// bank is the service on a fresh store, with a clock the test moves, and a
// small district: a community college that issues, an open university that
// converts (with a manager and a reviewer), and a learner registered with
// a password.
type bank struct {
	t   *testing.T
	ctx context.Context
	svc *service.Service
	// The bank's clock stands still at the start of the test, plus the
	// time the test lets pass: what a use case stamps is known exactly.
	start  time.Time
	offset atomic.Int64

	college, university domain.Institution
	issuer              service.Actor // college staff who issues
	manager, reviewer   service.Actor // university staff
	learner             learner
	nextID              int // national IDs handed out so far
}

// learner is a registered learner: the actor they sign in as and the
// identity institutions know them by.
type learner struct {
	service.Actor
	nationalID, name string
}

func newBank(t *testing.T, store storage.Store) *bank {
	t.Helper()
	t.Cleanup(func() { store.Close() })
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	vault, err := auth.NewVault(master)
	if err != nil {
		t.Fatal(err)
	}
	b := &bank{t: t, ctx: t.Context(), start: time.Now().Truncate(time.Millisecond)}
	b.svc = service.New(store, vault, nil, service.Config{
		Now:    func() time.Time { return b.start.Add(time.Duration(b.offset.Load())) },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	t.Cleanup(b.svc.WaitForImports)
	b.college = b.institution("铜梁社区学院", "issue")
	b.university = b.institution("重庆开放大学", "convert")
	b.issuer = b.staff(b.college, "cc.issuer", domain.PermIssue)
	b.manager = b.staff(b.university, "ou.manager", domain.PermManage)
	b.reviewer = b.staff(b.university, "ou.reviewer", domain.PermReview)
	b.learner = b.register("林静")
	return b
}

// after moves the bank's clock on.
func (b *bank) after(d time.Duration) { b.offset.Add(int64(d)) }

func (b *bank) now() time.Time { return b.svc.Now() }

func (b *bank) institution(name string, capability string) domain.Institution {
	b.t.Helper()
	created, err := b.svc.CreateInstitution(b.ctx, service.System, service.Op{}, domain.InstitutionInput{
		Name: name, Kind: string(domain.KindCommunityCollege), Region: "铜梁区",
		Capabilities: []string{capability}, Categories: []string{"community", "senior"},
	})
	must(b.t, err, "create institution "+name)
	return created.Institution
}

func (b *bank) staff(inst domain.Institution, username string, perms ...domain.Perm) service.Actor {
	b.t.Helper()
	names := make([]string, len(perms))
	for i, p := range perms {
		names[i] = string(p)
	}
	u, err := b.svc.CreateStaff(b.ctx, service.System, service.Op{}, inst.ID, service.StaffInput{
		Username: username, Password: "staff-password-2026", Perms: names})
	must(b.t, err, "create staff "+username)
	return service.Actor{Role: domain.RoleStaff, ID: u.ID, InstitutionID: inst.ID, Perms: u.Perms}
}

// nationalID hands out a valid national ID no one in the bank has yet.
func (b *bank) nationalID() string {
	b.t.Helper()
	b.nextID++
	id, err := domain.CompleteNationalID(fmt.Sprintf("50022419850301%03d", b.nextID))
	must(b.t, err, "national ID")
	return string(id)
}

// register signs a new learner up with a password of their own.
func (b *bank) register(name string) learner {
	b.t.Helper()
	nid := b.nationalID()
	acc, _, err := b.svc.RegisterLearner(b.ctx, service.Actor{}, service.Op{}, service.RegisterInput{
		NationalID: nid, Name: name, Password: "learner-pass-2026"})
	must(b.t, err, "register "+name)
	return learner{Actor: service.Actor{Role: domain.RoleLearner, ID: acc.ID}, nationalID: nid, name: name}
}

// course is an outcome as an issuer reports it: community education, so
// 16 hours make one credit under the default policy.
func course(title string, hours float64) domain.OutcomeInput {
	return domain.OutcomeInput{Category: string(domain.CategoryCommunity), Title: title, CourseCode: "C-" + title, Hours: hours,
		Result: domain.Result{Score: ptr(88.0)}, CompletedOn: domain.DateOf(time.Now().AddDate(0, -1, 0))}
}

func ptr[T any](v T) *T { return &v }

// deposit has the college bank a course for l.
func (b *bank) deposit(l learner, title string, hours float64) domain.Outcome {
	b.t.Helper()
	res, err := b.svc.IssueOutcome(b.ctx, b.issuer, service.Op{}, service.IssueInput{NationalID: l.nationalID, Name: l.name, Outcome: course(title, hours)})
	must(b.t, err, "deposit "+title)
	return res.Outcome
}

// keyed returns the Op the HTTP layer gives a request whose Idempotency-Key
// is seen for the first time: a reservation the use case's first write
// carries, or, on a store that does not carry reservations, one stored
// before the use case runs.
func (b *bank) keyed(key string) service.Op {
	b.t.Helper()
	rec := &storage.IdempotencyRecord{Key: "test:" + key, RequestHash: "h", CreatedAt: domain.Now(b.now()),
		Owner: b.svc.Epoch(), ObjectID: domain.NewID()}
	op := service.Op{Key: rec.Key, ObjectID: rec.ObjectID}
	if b.svc.CarriesReservations() {
		op.Reservation = &storage.PendingReservation{Record: rec}
	} else {
		must(b.t, b.svc.ReserveKey(b.ctx, rec), "reserve "+key)
	}
	return op
}

// account is l's account as l sees it.
func (b *bank) account(l learner) *domain.Account {
	b.t.Helper()
	acc, err := b.svc.Record(b.ctx, l.Actor, l.ID)
	must(b.t, err, "read "+l.name+"'s record")
	return acc
}

// publish has the manager write rule as a draft and the centre publish it.
func (b *bank) publish(rule domain.Rule) domain.Rule {
	b.t.Helper()
	rule.InstitutionID = b.university.ID
	draft, err := b.svc.CreateRule(b.ctx, b.manager, service.Op{}, rule)
	must(b.t, err, "create rule "+rule.Code)
	published, err := b.svc.PublishRule(b.ctx, service.System, draft.ID)
	must(b.t, err, "publish rule "+rule.Code)
	return published
}

// exemption is a rule exempting from a 2-credit course for 4 credits of
// community education, using them up (exclusive).
func exemption(code string, approval domain.Approval, noticeDays int) domain.Rule {
	return domain.Rule{
		Code: code, Name: "社区教育成果免修 " + code, Purpose: domain.PurposeExemption,
		Target:          domain.RuleTarget{CourseCode: "CS101", Credits: 2},
		Condition:       domain.Group{Op: domain.OpAll, Items: []domain.Item{{Match: &domain.Match{Category: domain.CategoryCommunity}}}},
		MinTotalCredits: 4, Award: domain.Award{Mode: domain.AwardFixed, Credits: 2},
		Exclusive: true, Approval: approval, NoticeDays: noticeDays,
		EffectiveFrom: domain.DateOf(time.Now().AddDate(-1, 0, 0)),
	}
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr checks err against want: nil for success, else errors.Is.
func wantErr(t *testing.T, err, want error, what string) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
}

// ledger writes an account's credit movements as "kind ±credits", in order.
func ledger(a *domain.Account) []string {
	out := make([]string, len(a.Ledger))
	for i, e := range a.Ledger {
		out[i] = string(e.Kind) + " " + signed(e.Credits)
	}
	return out
}

func signed(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if f >= 0 {
		s = "+" + s
	}
	return s
}

// balanceOf writes the balance of a at the bank's time as
// "banked/available/earmarked/spent".
func (b *bank) balanceOf(a *domain.Account) string {
	bal := a.Balance(b.now())
	n := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	return strings.Join([]string{n(bal.Banked), n(bal.Available), n(bal.Earmarked), n(bal.Spent)}, "/")
}

// verified fails the test unless a's ledger chain replays and agrees with
// its balance.
func verified(t *testing.T, a *domain.Account, now time.Time) {
	t.Helper()
	if err := a.VerifyLedger(); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if got, want := a.LedgerBalance(), a.Balance(now).Available; got != want {
		t.Fatalf("ledger ends at %v, balance says %v available", got, want)
	}
}
