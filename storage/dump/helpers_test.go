package dump_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/dump"
	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/sqlite"
	"creditbank/storage/storetest"
)

func TestMain(m *testing.M) { ferrettest.Main(m) }

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openSQLite opens a fresh SQLite store in the test's temp dir.
func openSQLite(t *testing.T, name string) storage.Store {
	t.Helper()
	s, err := sqlite.Open(testCtx(t), filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openMongo opens a fresh database on target, dropped when the test ends.
func openMongo(t *testing.T, target ferrettest.Target) storage.Store {
	t.Helper()
	s, err := mongo.Open(testCtx(t), target.URI, mongo.WithDatabase(ferrettest.DatabaseName(t)))
	if err != nil {
		t.Fatalf("open mongo: %v", err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(context.Background())
		_ = s.Close()
	})
	return s
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, s storage.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := dump.Export(testCtx(t), s, &buf); err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

// seeded is what seed wrote, for assertions.
type seeded struct {
	counts  dump.Counts
	account *domain.Account
}

// seed fills s with at least one record of every exported kind, with every
// optional field set somewhere, plus records that are deliberately not
// exported (a refresh token, an idempotency record, an import job).
func seed(t *testing.T, s storage.Store) seeded {
	t.Helper()
	ctx := testCtx(t)
	now := domain.Now(time.Now())

	// Three saves: the import must reproduce version 3, not restart at 1.
	p := domain.DefaultCreditPolicy()
	for i := 0; i < 3; i++ {
		p.HoursPerCredit[domain.CategorySenior] = float64(16 + i)
		mustDo(t, s.SaveCreditPolicy(ctx, &p))
	}

	// Two framework saves, two units (one edited): versions must survive.
	fw := storetest.ExampleFramework(5)
	fw.UpdatedAt = now
	mustDo(t, s.SaveFramework(ctx, &fw))
	fw.Levels[0].NameEN = "Foundation"
	mustDo(t, s.SaveFramework(ctx, &fw))
	for _, code := range []string{"VT-2", "CE-1"} {
		u := storetest.ExampleUnit(code, domain.CategoryCommunity, 2)
		mustDo(t, s.CreateUnit(ctx, nil, &u))
		if code == "CE-1" {
			mustDo(t, s.UpdateUnit(ctx, &u))
		}
	}

	retired := now.Add(-time.Hour)
	mustDo(t, s.SaveSigningKey(ctx, &storage.SigningKey{KID: "k-2", PrivateSealed: "sealed:b", Public: []byte{1, 2, 3}, CreatedAt: now}))
	mustDo(t, s.SaveSigningKey(ctx, &storage.SigningKey{KID: "k-1", PrivateSealed: "sealed:a", Public: []byte{4, 5}, CreatedAt: now.Add(-48 * time.Hour), RetiredAt: &retired}))

	issuer, err := domain.NewInstitution(domain.InstitutionInput{
		Name: "社区教育学院", Kind: "community_college", Region: "渝北区",
		Capabilities: []string{"issue"}, Categories: []string{"community", "senior"},
	}, now)
	mustDo(t, err)
	mustDo(t, s.CreateInstitution(ctx, nil, &issuer))
	mustDo(t, s.UpdateInstitution(ctx, &issuer)) // version 2
	converter, err := domain.NewInstitution(domain.InstitutionInput{
		Name: "开放大学", Kind: "open_university", Capabilities: []string{"convert"},
	}, now)
	mustDo(t, err)
	mustDo(t, s.CreateInstitution(ctx, nil, &converter))

	mustDo(t, s.CreateUser(ctx, nil, &domain.User{ID: domain.NewID(), Username: "admin", PasswordHash: "h1", Role: domain.RoleAdmin, Status: domain.UserActive, CreatedAt: now}))
	mustDo(t, s.CreateUser(ctx, nil, &domain.User{ID: domain.NewID(), Username: "li.staff", PasswordHash: "h2", Role: domain.RoleStaff,
		InstitutionID: issuer.ID, Perms: []domain.Perm{domain.PermIssue, domain.PermManage}, Status: domain.UserSuspended, CreatedAt: now}))
	mustDo(t, s.CreateClient(ctx, &domain.APIClient{ID: domain.NewID(), ClientID: "cli_1", SecretHash: "h3", InstitutionID: issuer.ID, Status: domain.UserActive, CreatedAt: now}))

	mustDo(t, s.CreateRule(ctx, nil, storetest.NewRule(converter.ID, "R-1", 1, now)))
	mustDo(t, s.CreateRule(ctx, nil, storetest.NewRichRule(converter.ID, "R-2", now)))
	course := storetest.NewCourse(issuer.ID, "SF-101", "硬笔书法入门", domain.CategoryCommunity, now)
	mustDo(t, s.CreateCourse(ctx, nil, course))
	mustDo(t, s.UpdateCourse(ctx, course)) // version 2
	online := storetest.NewCourse(issuer.ID, "OL-1", "网上课堂", domain.CategoryOnline, now)
	online.Credits, online.NextStart, online.Online, online.Place = nil, nil, true, ""
	mustDo(t, s.CreateCourse(ctx, nil, online))

	rich := storetest.NewRichAccount(issuer.ID, converter.ID, now)
	mustDo(t, s.CreateAccount(ctx, nil, rich))
	mustDo(t, s.UpdateAccount(ctx, nil, rich)) // version 2
	mustDo(t, s.CreateAccount(ctx, nil, storetest.NewAccount(now)))

	var prev *domain.AuditEntry
	for i, action := range []string{"institution.create", "outcome.deposit", "policy.update"} {
		e := &domain.AuditEntry{At: now.Add(time.Duration(i) * time.Second), ActorID: "admin", Role: domain.RoleAdmin,
			InstitutionID: issuer.ID.String(), Action: action, ObjectType: "x", ObjectID: domain.NewID().String(),
			ClientIP: "10.0.0.1", RequestID: "req-" + action, Detail: `{"note":"<ok> & done"}`}
		e.Seal(prev)
		mustDo(t, s.AppendAudit(ctx, e))
		prev = e
	}

	for i, o := range rich.Outcomes {
		_, err := s.AssignStatusIndex(ctx, o.ID, "1", 90000-i*17)
		mustDo(t, err)
	}
	_, err = s.AssignStatusIndex(ctx, domain.NewID(), "2", 5)
	mustDo(t, err)
	mustDo(t, s.SaveVerificationCode(ctx, &domain.VerificationCode{Code: "K7Q2M9XW4P", Token: "h.p.s", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))

	mustDo(t, s.CreateRefreshToken(ctx, &storage.RefreshToken{Hash: "rt", FamilyID: domain.NewID(), Subject: rich.ID, Role: domain.RoleLearner, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	mustDo(t, s.ReserveIdempotency(ctx, &storage.IdempotencyRecord{Key: "idem", RequestHash: "rh", CreatedAt: now}))
	mustDo(t, s.SaveImportJob(ctx, nil, &domain.ImportJob{ID: domain.NewID(), InstitutionID: issuer.ID, State: domain.ImportDone, CreatedAt: now, UpdatedAt: now}))

	return seeded{
		counts:  dump.Counts{CreditPolicy: 1, Framework: 1, Units: 2, SigningKeys: 2, Institutions: 2, Users: 2, Clients: 1, Rules: 2, Courses: 2, Accounts: 2, Audit: 3, StatusIndex: len(rich.Outcomes) + 1, Codes: 1},
		account: rich,
	}
}
