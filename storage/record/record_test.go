package record_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/domain/domaintest"
	"creditbank/storage"
	"creditbank/storage/record"
	"creditbank/storage/storetest"
)

// viaJSON and viaBSON push a document through an encoding and back, as an
// adapter or the export does.
func viaJSON[D any](t *testing.T, d D) D {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("json marshal: %v", err)
	}
	var out D
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("json unmarshal: %v", err)
	}
	return out
}

func viaBSON[D any](t *testing.T, d D) D {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatalf("bson marshal: %v", err)
	}
	var out D
	if err := bson.Unmarshal(b, &out); err != nil {
		t.Fatalf("bson unmarshal: %v", err)
	}
	return out
}

type codec struct {
	name string
	json bool
}

var codecs = []codec{{"JSON", true}, {"BSON", false}}

// roundTrip converts v to its document, encodes and decodes it, converts it
// back and requires the result to deep-equal want.
func roundTrip[T any, D any](t *testing.T, v T, want T, from func(T) D, to func(D) (T, error)) {
	t.Helper()
	for _, c := range codecs {
		d := from(v)
		if c.json {
			d = viaJSON(t, d)
		} else {
			d = viaBSON(t, d)
		}
		got, err := to(d)
		if err != nil {
			t.Fatalf("%s: ToDomain: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s round trip differs:\n got %+v\nwant %+v", c.name, got, want)
		}
	}
}

func now() time.Time { return domain.Now(time.Now()) }

func TestAccountRoundTrip(t *testing.T) {
	a := storetest.NewRichAccount(domain.NewID(), domain.NewID(), now())
	if err := a.VerifyLedger(); err != nil {
		t.Fatalf("fixture ledger: %v", err)
	}
	roundTrip(t, a, a, record.FromAccount, record.AccountDoc.ToDomain)
}

// Every field of the account set to a distinct value survives the
// document, so a field added to the account and forgotten here fails.
func TestAccountRoundTripsEveryField(t *testing.T) {
	var a domain.Account
	storetest.FillAccount(t, &a)
	// BSON keeps times to the millisecond.
	truncate := func(_ string, leaf reflect.Value) {
		if at, ok := leaf.Interface().(time.Time); ok {
			leaf.Set(reflect.ValueOf(at.Truncate(time.Millisecond)))
		}
	}
	domaintest.Leaves(&a, truncate)
	for _, c := range a.Conversions {
		for _, s := range c.Evaluation.Trace {
			domaintest.Leaves(s.Facts(), truncate)
		}
	}
	for _, c := range codecs {
		d := record.FromAccount(&a)
		if c.json {
			d = viaJSON(t, d)
		} else {
			d = viaBSON(t, d)
		}
		got, err := d.ToDomain()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := domaintest.Difference(got, &a); diff != "" {
			t.Errorf("%s round trip differs: %s", c.name, diff)
		}
	}
}

func TestRuleRoundTrip(t *testing.T) {
	r := storetest.NewRichRule(domain.NewID(), "OU-GE-1", now())
	roundTrip(t, r, r, record.FromRule, record.RuleDoc.ToDomain)
}

func TestAccountDerivedKeys(t *testing.T) {
	issuer, inst := domain.NewID(), domain.NewID()
	a := storetest.NewRichAccount(issuer, inst, now())
	d := record.FromAccount(a)
	if d.NationalIDHash != a.PII.NationalIDHash || d.NationalIDHash == "" {
		t.Errorf("nationalIdHash = %q, want %q", d.NationalIDHash, a.PII.NationalIDHash)
	}
	if want := []string{issuer.String()}; !slices.Equal(d.IssuerIDs, want) {
		t.Errorf("issuerIds = %v, want %v", d.IssuerIDs, want)
	}
	// The rich account holds needs_review, approved and pending conversions.
	want := []string{inst.String() + ":needs_review", inst.String() + ":approved", inst.String() + ":pending"}
	if !slices.Equal(d.QueueKeys, want) {
		t.Errorf("queueKeys = %v, want %v", d.QueueKeys, want)
	}
}

// The primary key must be "id" in exports and "_id" in MongoDB, and derived
// index fields must be top level where the adapters index them.
func TestKeyNames(t *testing.T) {
	a := storetest.NewRichAccount(domain.NewID(), domain.NewID(), now())
	tests := []struct {
		name string
		doc  any
		keys []string
	}{
		{"account", record.FromAccount(a), []string{"version", "nationalIdHash", "issuerIds", "queueKeys", "outcomes"}},
		{"rule", record.FromRule(storetest.NewRichRule(domain.NewID(), "X", now())), []string{"code", "version", "status", "institutionId", "revision"}},
		{"audit", record.FromAudit(&domain.AuditEntry{Seq: 7, Action: "x"}), []string{"at", "action", "hash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jb, err := json.Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			var jm map[string]any
			if err := json.Unmarshal(jb, &jm); err != nil {
				t.Fatal(err)
			}
			bb, err := bson.Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			var bm bson.M
			if err := bson.Unmarshal(bb, &bm); err != nil {
				t.Fatal(err)
			}
			if _, ok := jm["id"]; !ok {
				t.Errorf("JSON has no id: %v", keys(jm))
			}
			if _, ok := bm["_id"]; !ok {
				t.Errorf("BSON has no _id: %v", keys(bm))
			}
			for _, k := range tt.keys {
				if _, ok := jm[k]; !ok {
					t.Errorf("JSON lacks %q", k)
				}
				if _, ok := bm[k]; !ok {
					t.Errorf("BSON lacks %q", k)
				}
			}
		})
	}
}

func keys[M ~map[string]any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestOtherDocsRoundTrip(t *testing.T) {
	n := now()
	later := n.Add(time.Hour)
	inst := domain.NewID()
	t.Run("Institution", func(t *testing.T) {
		i := &domain.Institution{ID: domain.NewID(), Version: 3, Name: "朝阳社区学院", Kind: domain.KindCommunityCollege, Region: "朝阳",
			Capabilities: []domain.Capability{domain.CapabilityIssue, domain.CapabilityConvert},
			Categories:   []domain.Category{domain.CategoryCommunity, domain.CategorySenior},
			Status:       domain.InstitutionSuspended, CreatedAt: n}
		roundTrip(t, i, i, record.FromInstitution, record.InstitutionDoc.ToDomain)
	})
	t.Run("User", func(t *testing.T) {
		changed := n.Add(-time.Hour)
		u := &domain.User{ID: domain.NewID(), Username: "li.si", PasswordHash: "h", Role: domain.RoleStaff, InstitutionID: inst, CredentialsChangedAt: &changed,
			Perms: []domain.Perm{domain.PermIssue, domain.PermReview}, Status: domain.UserActive, CreatedAt: n}
		roundTrip(t, u, u, record.FromUser, record.UserDoc.ToDomain)
		admin := &domain.User{ID: domain.NewID(), Username: "admin", PasswordHash: "h", Role: domain.RoleAdmin, Status: domain.UserActive, CreatedAt: n}
		roundTrip(t, admin, admin, record.FromUser, record.UserDoc.ToDomain)
	})
	t.Run("APIClient", func(t *testing.T) {
		c := &domain.APIClient{ID: domain.NewID(), ClientID: "cli_abc", SecretHash: "s", InstitutionID: inst, Status: domain.UserActive, CreatedAt: n}
		roundTrip(t, c, c, record.FromAPIClient, record.APIClientDoc.ToDomain)
	})
	t.Run("RefreshToken", func(t *testing.T) {
		rt := &storage.RefreshToken{Hash: "abc", FamilyID: domain.NewID(), Subject: domain.NewID(), Role: domain.RoleStaff,
			InstitutionID: inst, CreatedAt: n, ExpiresAt: later, UsedAt: &later, Revoked: true}
		roundTrip(t, rt, rt, record.FromRefreshToken, record.RefreshTokenDoc.ToDomain)
	})
	t.Run("Idempotency", func(t *testing.T) {
		r := &storage.IdempotencyRecord{Key: "k", RequestHash: "rh", Status: 201, Body: []byte(`{"id":1}`), CreatedAt: n}
		roundTrip(t, r, r, record.FromIdempotency, record.IdempotencyDoc.ToDomain)
	})
	t.Run("SigningKey", func(t *testing.T) {
		k := &storage.SigningKey{KID: "kid1", PrivateSealed: "sealed", Public: []byte{1, 2, 3}, CreatedAt: n, RetiredAt: &later}
		roundTrip(t, k, k, record.FromSigningKey, record.SigningKeyDoc.ToDomain)
		c := &storage.SigningKey{KID: "kid2", Use: storage.KeyUseCredentialJWT, PrivateSealed: "sealed", Public: []byte{4}, CreatedAt: n}
		roundTrip(t, c, c, record.FromSigningKey, record.SigningKeyDoc.ToDomain)
		if _, err := (record.SigningKeyDoc{KID: "k", Use: "wrapping"}).ToDomain(); err == nil {
			t.Error("a key of unknown use was loaded")
		}
	})
	t.Run("Audit", func(t *testing.T) {
		e := &domain.AuditEntry{At: n, ActorID: "a", Role: domain.RoleAdmin, InstitutionID: inst.String(), Action: "institution.create",
			ObjectType: "institution", ObjectID: "o", ClientIP: "127.0.0.1", RequestID: "r", Detail: "d"}
		e.Seal(nil)
		roundTrip(t, e, e, record.FromAudit, record.AuditDoc.ToDomain)
	})
	t.Run("ImportJob", func(t *testing.T) {
		j := &domain.ImportJob{ID: domain.NewID(), InstitutionID: inst, CreatedBy: "x", State: domain.ImportDone, Total: 5, Done: 5, OK: 3,
			Failed: 1, Created: 2, Duplicates: 1, Errors: []domain.ImportRowError{{Line: 3, Column: "nationalId", Reason: "bad"}},
			CreatedAt: n, UpdatedAt: later}
		roundTrip(t, j, j, record.FromImportJob, record.ImportJobDoc.ToDomain)
	})
	t.Run("CreditPolicy", func(t *testing.T) {
		p := domain.DefaultCreditPolicy()
		p.HoursPerCredit[domain.CategorySenior] = 20.5
		p.Version = 2
		roundTrip(t, &p, &p, record.FromCreditPolicy, record.CreditPolicyDoc.ToDomain)
	})
}

// Empty and nil collections must load the same way on every adapter:
// slices as nil, maps as non-nil.
func TestEmptyCollectionsNormalise(t *testing.T) {
	n := now()
	t.Run("AccountSlices", func(t *testing.T) {
		a := storetest.NewAccount(n)
		a.Outcomes, a.Conversions, a.Ledger, a.Grants = []domain.Outcome{}, []domain.Conversion{}, []domain.LedgerEntry{}, []domain.Grant{}
		want := *a
		want.Outcomes, want.Conversions, want.Ledger, want.Grants = nil, nil, nil, nil
		roundTrip(t, a, &want, record.FromAccount, record.AccountDoc.ToDomain)
	})
	t.Run("InstitutionSlices", func(t *testing.T) {
		i := &domain.Institution{ID: domain.NewID(), Name: "n", Capabilities: []domain.Capability{}, Categories: []domain.Category{}, CreatedAt: n}
		want := *i
		want.Capabilities, want.Categories = nil, nil
		roundTrip(t, i, &want, record.FromInstitution, record.InstitutionDoc.ToDomain)
	})
	t.Run("IdempotencyBody", func(t *testing.T) {
		r := &storage.IdempotencyRecord{Key: "k", Body: []byte{}, CreatedAt: n}
		want := *r
		want.Body = nil
		roundTrip(t, r, &want, record.FromIdempotency, record.IdempotencyDoc.ToDomain)
	})
	t.Run("PolicyMap", func(t *testing.T) {
		p := &domain.CreditPolicy{}
		want := domain.CreditPolicy{HoursPerCredit: map[domain.Category]float64{}}
		roundTrip(t, p, &want, record.FromCreditPolicy, record.CreditPolicyDoc.ToDomain)
	})
}

func TestBadIDsAreErrors(t *testing.T) {
	tests := []struct {
		name string
		load func() error
	}{
		{"account id", func() error { _, err := record.AccountDoc{ID: "nope"}.ToDomain(); return err }},
		{"outcome issuer", func() error {
			_, err := record.AccountDoc{ID: domain.NewID().String(), Outcomes: []record.OutcomeDoc{{ID: domain.NewID().String(), IssuerID: "x"}}}.ToDomain()
			return err
		}},
		{"nested match issuer", func() error {
			_, err := record.RuleDoc{ID: domain.NewID().String(), Condition: record.GroupDoc{Items: []record.ItemDoc{
				{Group: &record.GroupDoc{Items: []record.ItemDoc{{Match: &record.MatchDoc{IssuerIDs: []string{"bad"}}}}}},
			}}}.ToDomain()
			return err
		}},
		{"ledger outcome", func() error {
			_, err := record.LedgerDoc{OutcomeID: "zz"}.ToDomain()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.load(); err == nil {
				t.Fatal("want an error for a malformed id")
			}
		})
	}
}

func TestConditionDepthBounded(t *testing.T) {
	g := record.GroupDoc{Op: "all"}
	for range 40 {
		g = record.GroupDoc{Op: "all", Items: []record.ItemDoc{{Group: &g}}}
	}
	if _, err := g.ToDomain(); err == nil {
		t.Fatal("want an error for a condition nested 40 deep")
	}
}
