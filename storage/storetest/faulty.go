package storetest

import (
	"context"
	"maps"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// Faulty wraps a store and makes it fail on demand, so that tests of the
// layers above can see what a full disk, a read-only mount, an unreachable
// database or a primary step-down does to them, through the port and on any
// adapter. A failed call never reaches the wrapped store: nothing is written.
type Faulty struct {
	inner storage.Store

	mu        sync.Mutex
	readErr   error
	writeErr  error
	lostAcks  int   // UpdateAccount calls still to apply and then report ackErr
	ackErr    error // the error such a call reports
	failed    int   // calls refused, ever
	gate      chan struct{}
	lostCalls int // UpdateAccount calls applied but reported as failed
	calls     map[string]int
}

var _ storage.Store = (*Faulty)(nil)

// NewFaulty wraps s; it behaves exactly like s until told to fail.
func NewFaulty(s storage.Store) *Faulty { return &Faulty{inner: s} }

// Inner is the wrapped store, for checks that must bypass the faults.
func (f *Faulty) Inner() storage.Store { return f.inner }

// FailWrites makes every write (and nothing else) return err.
func (f *Faulty) FailWrites(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeErr = err
}

// FailAll makes every call, reads and Ping included, return err: the store
// is unreachable.
func (f *Faulty) FailAll(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readErr, f.writeErr = err, err
}

// LoseUpdateAcks makes the next n UpdateAccount calls apply the update and
// then return err instead of success: the reply was lost (a network error
// after the write was sent, a primary that stepped down before
// acknowledging). The caller cannot tell the write happened.
func (f *Faulty) LoseUpdateAcks(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lostAcks, f.ackErr = n, err
}

// Hold makes every call wait until release is called: a store that has
// become slow. Overload tests use it to keep requests in flight without
// relying on timing.
func (f *Faulty) Hold() (release func()) {
	g := make(chan struct{})
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.gate == g {
				f.gate = nil
			}
			f.mu.Unlock()
			close(g)
		})
	}
}

// Heal ends every fault.
func (f *Faulty) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readErr, f.writeErr, f.lostAcks, f.ackErr = nil, nil, 0, nil
}

// Refused counts the calls failed since the wrapper was made.
func (f *Faulty) Refused() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// LostAcks counts UpdateAccount calls that were applied but reported failed.
func (f *Faulty) LostAcks() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lostCalls
}

// CallCounts reports how often each store method was called since the last
// ResetCalls: a request's store round trips, for tests that keep them from
// growing.
func (f *Faulty) CallCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// ResetCalls starts counting afresh.
func (f *Faulty) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// countCall records the Faulty method that is calling read or write.
func (f *Faulty) countCall() {
	pcs := make([]uintptr, 6)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		fr, more := frames.Next()
		if i := strings.Index(fr.Function, "(*Faulty)."); i >= 0 {
			name := fr.Function[i+len("(*Faulty)."):]
			if f.calls == nil {
				f.calls = map[string]int{}
			}
			f.calls[name]++
			return
		}
		if !more {
			return
		}
	}
}

func (f *Faulty) read() error {
	f.waitGate()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.countCall()
	if f.readErr != nil {
		f.failed++
	}
	return f.readErr
}

func (f *Faulty) write() error {
	f.waitGate()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.countCall()
	if f.writeErr != nil {
		f.failed++
	}
	return f.writeErr
}

func (f *Faulty) waitGate() {
	f.mu.Lock()
	g := f.gate
	f.mu.Unlock()
	if g != nil {
		<-g
	}
}

// guard runs one call unless the fault chosen by check is set.
func guard[T any](check func() error, call func() (T, error)) (T, error) {
	if err := check(); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

func guard3[T any](check func() error, call func() ([]T, string, error)) ([]T, string, error) {
	if err := check(); err != nil {
		return nil, "", err
	}
	return call()
}

func (f *Faulty) CreateAccount(ctx context.Context, key *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateAccount(ctx, key, a, audit...)
}

func (f *Faulty) GetAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	return guard(f.read, func() (*domain.Account, error) { return f.inner.GetAccount(ctx, id) })
}

func (f *Faulty) GetAccountByNationalIDHash(ctx context.Context, hash string) (*domain.Account, error) {
	return guard(f.read, func() (*domain.Account, error) { return f.inner.GetAccountByNationalIDHash(ctx, hash) })
}

// UpdateAccount is where lost acknowledgements are injected: the account is
// the aggregate whose every credit movement must happen exactly once.
func (f *Faulty) UpdateAccount(ctx context.Context, key *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	if err := f.write(); err != nil {
		return err
	}
	err := f.inner.UpdateAccount(ctx, key, a, audit...)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && f.lostAcks > 0 {
		f.lostAcks--
		f.lostCalls++
		// The caller's copy must look unsaved, as after a real lost reply.
		a.Version--
		return f.ackErr
	}
	return err
}

func (f *Faulty) GetAccountByOutcomeID(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	return guard(f.read, func() (*domain.Account, error) { return f.inner.GetAccountByOutcomeID(ctx, id) })
}

func (f *Faulty) GetAccountByConversionID(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	return guard(f.read, func() (*domain.Account, error) { return f.inner.GetAccountByConversionID(ctx, id) })
}

func (f *Faulty) ListOutcomesByIssuer(ctx context.Context, issuerID uuid.UUID, p storage.Page) ([]domain.Outcome, string, error) {
	return guard3(f.read, func() ([]domain.Outcome, string, error) { return f.inner.ListOutcomesByIssuer(ctx, issuerID, p) })
}

func (f *Faulty) ListImportJobs(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]domain.ImportJob, string, error) {
	return guard3(f.read, func() ([]domain.ImportJob, string, error) { return f.inner.ListImportJobs(ctx, institutionID, p) })
}

func (f *Faulty) SearchIssuedOutcomes(ctx context.Context, issuerID uuid.UUID, q storage.OutcomeQuery, p storage.Page) ([]storage.IssuedOutcome, string, error) {
	return guard3(f.read, func() ([]storage.IssuedOutcome, string, error) {
		return f.inner.SearchIssuedOutcomes(ctx, issuerID, q, p)
	})
}

func (f *Faulty) ListConversionsByInstitution(ctx context.Context, institutionID uuid.UUID, status domain.ConversionStatus, p storage.Page) ([]domain.Conversion, string, error) {
	return guard3(f.read, func() ([]domain.Conversion, string, error) {
		return f.inner.ListConversionsByInstitution(ctx, institutionID, status, p)
	})
}

func (f *Faulty) ListAccountsSharedWith(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return guard3(f.read, func() ([]*domain.Account, string, error) {
		return f.inner.ListAccountsSharedWith(ctx, institutionID, p)
	})
}

func (f *Faulty) ScanAccounts(ctx context.Context, fn func(*domain.Account) error) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.ScanAccounts(ctx, fn)
}

func (f *Faulty) CountAccounts(ctx context.Context) (int64, error) {
	return guard(f.read, func() (int64, error) { return f.inner.CountAccounts(ctx) })
}

func (f *Faulty) CreateInstitution(ctx context.Context, key *storage.PendingReservation, i *domain.Institution) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateInstitution(ctx, key, i)
}

func (f *Faulty) GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	return guard(f.read, func() (*domain.Institution, error) { return f.inner.GetInstitution(ctx, id) })
}

func (f *Faulty) UpdateInstitution(ctx context.Context, i *domain.Institution) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateInstitution(ctx, i)
}

func (f *Faulty) ListInstitutions(ctx context.Context, p storage.Page) ([]domain.Institution, string, error) {
	return guard3(f.read, func() ([]domain.Institution, string, error) { return f.inner.ListInstitutions(ctx, p) })
}

func (f *Faulty) CreateUser(ctx context.Context, key *storage.PendingReservation, u *domain.User) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateUser(ctx, key, u)
}

func (f *Faulty) GetUser(ctx context.Context, id uuid.UUID) (*domain.User, error) {
	return guard(f.read, func() (*domain.User, error) { return f.inner.GetUser(ctx, id) })
}

func (f *Faulty) GetUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	return guard(f.read, func() (*domain.User, error) { return f.inner.GetUserByUsername(ctx, username) })
}

func (f *Faulty) UpdateUser(ctx context.Context, u *domain.User) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateUser(ctx, u)
}

func (f *Faulty) ListUsers(ctx context.Context, p storage.Page) ([]domain.User, string, error) {
	return guard3(f.read, func() ([]domain.User, string, error) { return f.inner.ListUsers(ctx, p) })
}

func (f *Faulty) CreateClient(ctx context.Context, c *domain.APIClient) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateClient(ctx, c)
}

func (f *Faulty) GetClient(ctx context.Context, clientID string) (*domain.APIClient, error) {
	return guard(f.read, func() (*domain.APIClient, error) { return f.inner.GetClient(ctx, clientID) })
}

func (f *Faulty) UpdateClient(ctx context.Context, c *domain.APIClient) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateClient(ctx, c)
}

func (f *Faulty) ListClients(ctx context.Context, p storage.Page) ([]domain.APIClient, string, error) {
	return guard3(f.read, func() ([]domain.APIClient, string, error) { return f.inner.ListClients(ctx, p) })
}

func (f *Faulty) CreateRefreshToken(ctx context.Context, t *domain.RefreshToken) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateRefreshToken(ctx, t)
}

func (f *Faulty) GetRefreshToken(ctx context.Context, hash string) (*domain.RefreshToken, error) {
	return guard(f.read, func() (*domain.RefreshToken, error) { return f.inner.GetRefreshToken(ctx, hash) })
}

func (f *Faulty) UseRefreshToken(ctx context.Context, hash string, at time.Time) (*domain.RefreshToken, error) {
	return guard(f.write, func() (*domain.RefreshToken, error) { return f.inner.UseRefreshToken(ctx, hash, at) })
}

func (f *Faulty) RevokeRefreshFamily(ctx context.Context, family uuid.UUID) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.RevokeRefreshFamily(ctx, family)
}

func (f *Faulty) ReserveIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.ReserveIdempotency(ctx, r)
}

func (f *Faulty) GetIdempotency(ctx context.Context, key string) (*domain.IdempotencyRecord, error) {
	return guard(f.read, func() (*domain.IdempotencyRecord, error) { return f.inner.GetIdempotency(ctx, key) })
}

func (f *Faulty) TakeOverIdempotency(ctx context.Context, r *domain.IdempotencyRecord, prevOwner string) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.TakeOverIdempotency(ctx, r, prevOwner)
}

func (f *Faulty) CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CompleteIdempotency(ctx, key, owner, status, body)
}

func (f *Faulty) DeleteIdempotency(ctx context.Context, key, owner string) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.DeleteIdempotency(ctx, key, owner)
}

func (f *Faulty) CarriesReservations() bool { return f.inner.CarriesReservations() }

func (f *Faulty) BeginEpoch(ctx context.Context, e *domain.Epoch) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.BeginEpoch(ctx, e)
}

func (f *Faulty) RenewEpoch(ctx context.Context, id string, at time.Time) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.RenewEpoch(ctx, id, at)
}

func (f *Faulty) EndEpoch(ctx context.Context, id string) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.EndEpoch(ctx, id)
}

func (f *Faulty) GetEpoch(ctx context.Context, id string) (*domain.Epoch, error) {
	return guard(f.read, func() (*domain.Epoch, error) { return f.inner.GetEpoch(ctx, id) })
}

func (f *Faulty) AppendAudits(ctx context.Context, es []*domain.AuditEntry) (int, error) {
	if err := f.write(); err != nil {
		return 0, err
	}
	return f.inner.AppendAudits(ctx, es)
}

func (f *Faulty) RecordAudits(ctx context.Context, es []domain.AuditEntry) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.RecordAudits(ctx, es)
}

func (f *Faulty) DistrictTallies(ctx context.Context) (domain.StatTallies, error) {
	return guard(f.read, func() (domain.StatTallies, error) { return f.inner.DistrictTallies(ctx) })
}

func (f *Faulty) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	if err := f.read(); err != nil {
		return nil, "", err
	}
	return f.inner.ListAccountsHelpedBy(ctx, helperID, p)
}

func (f *Faulty) SaveSigningKey(ctx context.Context, k *domain.SigningKey) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.SaveSigningKey(ctx, k)
}

func (f *Faulty) ListSigningKeys(ctx context.Context) ([]domain.SigningKey, error) {
	return guard(f.read, func() ([]domain.SigningKey, error) { return f.inner.ListSigningKeys(ctx) })
}

func (f *Faulty) CreateRule(ctx context.Context, key *storage.PendingReservation, r *domain.Rule) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateRule(ctx, key, r)
}

func (f *Faulty) GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error) {
	return guard(f.read, func() (*domain.Rule, error) { return f.inner.GetRule(ctx, id) })
}

func (f *Faulty) UpdateRule(ctx context.Context, r *domain.Rule) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateRule(ctx, r)
}

func (f *Faulty) ListRules(ctx context.Context, rf storage.RuleFilter, p storage.Page) ([]domain.Rule, string, error) {
	return guard3(f.read, func() ([]domain.Rule, string, error) { return f.inner.ListRules(ctx, rf, p) })
}

func (f *Faulty) LastAudit(ctx context.Context) (*domain.AuditEntry, error) {
	return guard(f.read, func() (*domain.AuditEntry, error) { return f.inner.LastAudit(ctx) })
}

func (f *Faulty) AppendAudit(ctx context.Context, e *domain.AuditEntry) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.AppendAudit(ctx, e)
}

func (f *Faulty) ListAudit(ctx context.Context, af storage.AuditFilter, p storage.Page) ([]domain.AuditEntry, string, error) {
	return guard3(f.read, func() ([]domain.AuditEntry, string, error) { return f.inner.ListAudit(ctx, af, p) })
}

func (f *Faulty) ScanAudit(ctx context.Context, fn func(domain.AuditEntry) error) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.ScanAudit(ctx, fn)
}

func (f *Faulty) ScanAuditIndexed(ctx context.Context, fn func(domain.AuditEntry, storage.AuditIndex) error) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.ScanAuditIndexed(ctx, fn)
}

func (f *Faulty) SaveImportJob(ctx context.Context, key *storage.PendingReservation, j *domain.ImportJob) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.SaveImportJob(ctx, key, j)
}

func (f *Faulty) GetImportJob(ctx context.Context, id uuid.UUID) (*domain.ImportJob, error) {
	return guard(f.read, func() (*domain.ImportJob, error) { return f.inner.GetImportJob(ctx, id) })
}

func (f *Faulty) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	return guard(f.read, func() (*domain.CreditPolicy, error) { return f.inner.GetCreditPolicy(ctx) })
}

func (f *Faulty) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.SaveCreditPolicy(ctx, p)
}

// Ping fails with reads: an unreachable store answers nothing.
func (f *Faulty) Ping(ctx context.Context) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.Ping(ctx)
}

func (f *Faulty) Close() error { return f.inner.Close() }

func (f *Faulty) CreateCourse(ctx context.Context, key *storage.PendingReservation, c *domain.Course) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateCourse(ctx, key, c)
}

func (f *Faulty) GetCourse(ctx context.Context, id uuid.UUID) (*domain.Course, error) {
	return guard(f.read, func() (*domain.Course, error) { return f.inner.GetCourse(ctx, id) })
}

func (f *Faulty) UpdateCourse(ctx context.Context, c *domain.Course) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateCourse(ctx, c)
}

func (f *Faulty) DeleteCourse(ctx context.Context, id uuid.UUID) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.DeleteCourse(ctx, id)
}

func (f *Faulty) ListCourses(ctx context.Context, q domain.CourseQuery, p storage.Page) ([]domain.Course, string, error) {
	if err := f.read(); err != nil {
		return nil, "", err
	}
	return f.inner.ListCourses(ctx, q, p)
}

func (f *Faulty) ScanCourses(ctx context.Context, fn func(domain.Course) error) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.ScanCourses(ctx, fn)
}

func (f *Faulty) CountCoursesByCategory(ctx context.Context) (map[domain.Category]int, error) {
	return guard(f.read, func() (map[domain.Category]int, error) { return f.inner.CountCoursesByCategory(ctx) })
}

func (f *Faulty) AssignStatusIndex(ctx context.Context, outcomeID uuid.UUID, list string, index int) (domain.StatusIndex, error) {
	if err := f.write(); err != nil {
		return domain.StatusIndex{}, err
	}
	return f.inner.AssignStatusIndex(ctx, outcomeID, list, index)
}

func (f *Faulty) ListStatusIndexes(ctx context.Context, list string) ([]domain.StatusIndex, error) {
	return guard(f.read, func() ([]domain.StatusIndex, error) { return f.inner.ListStatusIndexes(ctx, list) })
}

func (f *Faulty) SaveVerificationCode(ctx context.Context, v *domain.VerificationCode) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.SaveVerificationCode(ctx, v)
}

func (f *Faulty) GetVerificationCode(ctx context.Context, code string) (*domain.VerificationCode, error) {
	return guard(f.read, func() (*domain.VerificationCode, error) { return f.inner.GetVerificationCode(ctx, code) })
}

func (f *Faulty) ScanVerificationCodes(ctx context.Context, fn func(domain.VerificationCode) error) error {
	if err := f.read(); err != nil {
		return err
	}
	return f.inner.ScanVerificationCodes(ctx, fn)
}
