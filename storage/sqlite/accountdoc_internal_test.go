package sqlite

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/domain/domaintest"
	"creditbank/storage"
	"creditbank/storage/record"
	"creditbank/storage/storetest"
)

// filledAccount has every field set to a distinct value, so a field the
// binary format forgets, or two fields it swaps, changes the round trip. A
// field added to the account later is filled too, and so are the data of
// its conversions' steps and shortfalls.
func filledAccount(t *testing.T) *domain.Account {
	t.Helper()
	a := &domain.Account{}
	storetest.FillAccount(t, a)
	return a
}

func TestAccountDocumentRoundTrips(t *testing.T) {
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	cases := []struct {
		name    string
		account func(*testing.T) *domain.Account
	}{
		{"every field set", filledAccount},
		{"hashes in hex, stored as bytes", func(t *testing.T) *domain.Account {
			a := filledAccount(t)
			a.PII.NationalIDHash = hash
			for i := range a.Ledger {
				a.Ledger[i].PrevHash, a.Ledger[i].Hash = hash, strings.ToUpper(hash)
			}
			return a
		}},
		{"nothing set", func(*testing.T) *domain.Account { return &domain.Account{} }},
		{"a learner's account, values recurring", func(t *testing.T) *domain.Account { return learnerAccount(t) }},
		{"optional parts absent", func(t *testing.T) *domain.Account {
			a := filledAccount(t)
			a.CredentialsChangedAt, a.AlertsSeenAt = nil, nil
			a.Outcomes[0].ExpiresOn, a.Outcomes[0].RevokedAt = nil, nil
			a.Outcomes[0].Result = domain.Result{Grade: "B"}
			f := false
			a.Outcomes[1].Result.Passed = &f
			a.Conversions[0].Evaluation.Shortfall, a.Conversions[0].DecidedAt = nil, nil
			a.Ledger[0].OutcomeID, a.Ledger[0].ConversionID = nil, nil
			a.Grants[0].WithdrawnAt, a.Helpers[0].WithdrawnAt = nil, nil
			a.Conversions[1].Evaluation.Used, a.Conversions[1].Evaluation.Trace = nil, nil
			return a
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.account(t)
			want := a.Clone()
			want.Version = 42
			if raw := encodeAccount(a, 42); raw[0] != accountFormatBinary5 {
				t.Fatalf("format byte %#x", raw[0])
			}
			// The current format, and the earlier ones that files still
			// hold: those before 5 never held the steps' facts and the
			// shortfalls' detail, those before 4 never held units, notices or
			// appeals, and those before 3 had no session generation and read
			// it as 0.
			for _, format := range []byte{accountFormatBinary5, accountFormatBinary4, accountFormatBinary3, accountFormatBinary2, accountFormatBinary1} {
				raw := encodeAccountAs(a, 42, format)
				got, err := decodeAccount(string(raw))
				if err != nil {
					t.Fatalf("format %#x: %v", format, err)
				}
				w := want
				if format < accountFormatBinary5 {
					w = withoutFormat5Fields(want)
				}
				if format < accountFormatBinary4 {
					w = withoutFormat4Fields(w)
				}
				if format < accountFormatBinary3 {
					w.SessionGen = 0
				}
				if !reflect.DeepEqual(got, w) {
					t.Fatalf("format %#x round trip differs: %s", format, domaintest.Difference(got, w))
				}
			}
			// What earlier versions wrote (the JSON document) still reads,
			// to the same account.
			js, err := json.Marshal(record.FromAccount(want))
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := decodeAccount(string(js))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromJSON, want) {
				t.Fatalf("JSON document reads differently: %s", domaintest.Difference(fromJSON, want))
			}
		})
	}
}

// A damaged document is an error, never a panic or a wrong account.
func TestAccountDocumentRefusesDamage(t *testing.T) {
	for _, a := range []*domain.Account{filledAccount(t), learnerAccount(t)} {
		for _, format := range []byte{accountFormatBinary1, accountFormatBinary2, accountFormatBinary3, accountFormatBinary4, accountFormatBinary5} {
			raw := encodeAccountAs(a, 3, format)
			for n := 0; n < len(raw); n++ {
				if _, err := decodeAccount(string(raw[:n])); err == nil {
					t.Fatalf("a format %#x document cut to %d of %d bytes decoded", format, n, len(raw))
				}
			}
			if _, err := decodeAccount(string(raw) + "x"); err == nil {
				t.Fatalf("format %#x: trailing bytes were ignored", format)
			}
			// Flipping any byte either fails or yields some account: never a
			// panic.
			for i := 1; i < len(raw); i++ {
				b := []byte(string(raw))
				b[i] ^= 0xff
				_, _ = decodeAccount(string(b))
			}
		}
	}
	raw := encodeAccount(filledAccount(t), 3)
	if _, err := decodeAccount("\x07rest"); err == nil || !strings.Contains(err.Error(), "unknown document format") {
		t.Fatalf("unknown format: %v", err)
	}
	// A list length no document could hold is refused before allocating.
	huge := string([]byte{accountFormatBinary1}) + strings.Repeat("\x00", 16) + "\x02" + "\xff\xff\xff\xff\x0f"
	if _, err := decodeAccount(huge); err == nil {
		t.Fatal("an impossible length decoded")
	}
	// A varint of more than 64 bits (the account's version here).
	empty := string(encodeAccount(&domain.Account{}, 1))
	overflow := empty[:17] + strings.Repeat("\xff", 9) + "\x02" + empty[18:]
	if _, err := decodeAccount(empty[:17] + "\x02" + empty[18:]); err != nil {
		t.Fatalf("the document the overflow case is built from: %v", err)
	}
	if _, err := decodeAccount(overflow); err == nil || !strings.Contains(err.Error(), "varint") {
		t.Fatalf("an overflowing varint: %v", err)
	}
	if _, err := decodeAccount(string(raw[:1])); err == nil {
		t.Fatal("a bare format byte decoded")
	}
}

// An account of a typical size fits a page once stored in the binary form;
// its JSON document took three.
func TestAccountDocumentIsCompact(t *testing.T) {
	a := filledAccount(t)
	js, err := json.Marshal(record.FromAccount(a))
	if err != nil {
		t.Fatal(err)
	}
	bin := encodeAccountAs(a, 1, accountFormatBinary1)
	if 2*len(bin) > len(js) {
		t.Fatalf("binary document %d bytes, JSON %d: expected under half", len(bin), len(js))
	}
	// Format 2 takes little more than half of format 1 for a learner's
	// account, whose issuers, categories and statuses recur and whose
	// ledger chains.
	learner := learnerAccount(t)
	v1, v2 := encodeAccountAs(learner, 1, accountFormatBinary1), encodeAccountAs(learner, 1, accountFormatBinary2)
	if 10*len(v2) > 6*len(v1) {
		t.Fatalf("format 2 document %d bytes, format 1 %d: expected under 60 %%", len(v2), len(v1))
	}
	t.Logf("a learner's account of %d outcomes: format 2 %d bytes, format 1 %d", len(learner.Outcomes), len(v2), len(v1))
}

// learnerAccount is shaped like a real learner's: ten outcomes from three
// issuers, the ledger chained and in deposit order, a revocation, an
// approved conversion, a grant; and a few values that cannot be written
// short (a third of a credit, a time to the nanosecond, an entry that does
// not chain).
func learnerAccount(t testing.TB) *domain.Account {
	t.Helper()
	now := time.Date(2026, 12, 2, 9, 30, 15, 123_000_000, time.UTC)
	a := &domain.Account{ID: domain.NewID(), Name: "王小红", Status: domain.AccountActive, CreatedAt: now.AddDate(-3, 0, 0),
		BirthDate: time.Date(1961, 5, 3, 0, 0, 0, 0, time.UTC)}
	a.PII.NationalIDHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	issuers := []uuid.UUID{domain.NewID(), domain.NewID(), domain.NewID()}
	categories := []domain.Category{domain.CategoryCommunity, domain.CategoryVocational, domain.CategorySenior}
	prev, balance := domain.GenesisHash, 0.0
	for i := 0; i < 10; i++ {
		score := 60 + float64(i)*3.5
		o := domain.Outcome{ID: domain.NewID(), AccountID: a.ID, IssuerID: issuers[i%3], Category: categories[i%3],
			Title: fmt.Sprintf("社区课程 %d", i), CourseCode: fmt.Sprintf("COM-%03d", i), Hours: 16, Credits: 2.5,
			Result: domain.Result{Score: &score}, CompletedOn: time.Date(2017+i/2, time.Month(1+i), 10, 0, 0, 0, 0, time.UTC),
			Status: domain.OutcomeActive, IssuedAt: now.AddDate(0, -i, 0), IssuedBy: "client:" + issuers[i%3].String()}
		if i == 7 {
			o.Credits = 1.0 / 3
		}
		a.Outcomes = append(a.Outcomes, o)
		balance += o.Credits
		id := o.ID
		hash := fmt.Sprintf("%064x", i+1)
		a.Ledger = append(a.Ledger, domain.LedgerEntry{Seq: int64(i + 1), At: o.IssuedAt, Kind: domain.LedgerKind("deposit"),
			Credits: o.Credits, BalanceAfter: balance, OutcomeID: &id, PrevHash: prev, Hash: hash})
		prev = hash
	}
	revokedAt := now.Add(time.Nanosecond)
	a.Outcomes[2].Status, a.Outcomes[2].RevokedAt, a.Outcomes[2].RevokedReason = domain.OutcomeRevoked, &revokedAt, "重复登记"
	revoked := a.Outcomes[2].ID
	a.Ledger = append(a.Ledger, domain.LedgerEntry{Seq: 11, At: revokedAt, Kind: domain.LedgerKind("revoke"), Credits: -2.5,
		BalanceAfter: balance - 2.5, OutcomeID: &revoked, PrevHash: prev, Hash: fmt.Sprintf("%064x", 11)})
	decided := now
	conv := domain.Conversion{ID: domain.NewID(), AccountID: a.ID, RuleID: domain.NewID(), RuleCode: "R-1", RuleVersion: 2,
		InstitutionID: issuers[1], Status: domain.ConversionStatus("approved"), AppliedAt: now.Add(-time.Hour), DecidedAt: &decided,
		Evaluation: domain.Evaluation{Eligible: true, AwardedCredits: 4, UsedCredits: 5, EvaluatedAt: now.Add(-time.Hour),
			Used: []domain.UsedOutcome{{OutcomeID: a.Outcomes[0].ID, Title: a.Outcomes[0].Title, Category: a.Outcomes[0].Category, Credits: 2.5}}}}
	a.Conversions = append(a.Conversions, conv)
	convID := conv.ID
	a.Ledger = append(a.Ledger, domain.LedgerEntry{Seq: 12, At: now, Kind: domain.LedgerKind("convert"), Credits: -5,
		BalanceAfter: balance - 7.5, ConversionID: &convID, PrevHash: strings.Repeat("ab", 32), Hash: fmt.Sprintf("%064x", 12)})
	a.Grants = append(a.Grants, domain.Grant{ID: domain.NewID(), InstitutionID: issuers[1], CreatedAt: now, ExpiresAt: now.AddDate(0, 0, 30)})
	return a
}

// A file written by an earlier version holds JSON documents and tallies, or
// format 1 documents: they read as before, lists that pick items out of them
// work, and the next save of an account rewrites it in the current formats.
func TestStoredEarlierDocumentsReadAndAreRewritten(t *testing.T) {
	for _, old := range []struct {
		name   string
		encode func(*testing.T, *domain.Account) string
	}{
		{"JSON", func(t *testing.T, a *domain.Account) string {
			js, err := json.Marshal(record.FromAccount(a))
			if err != nil {
				t.Fatal(err)
			}
			return string(js)
		}},
		{"format 1", func(t *testing.T, a *domain.Account) string {
			return string(encodeAccountAs(a, a.Version, accountFormatBinary1))
		}},
		{"format 2", func(t *testing.T, a *domain.Account) string {
			return string(encodeAccountAs(a, a.Version, accountFormatBinary2))
		}},
	} {
		t.Run(old.name, func(t *testing.T) { storedEarlierDocument(t, old.encode) })
	}
}

func storedEarlierDocument(t *testing.T, encode func(*testing.T, *domain.Account) string) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := filledAccount(t)
	a.Version = 0
	a.SessionGen = 0 // earlier documents had none
	a.PII.NationalIDHash = "hash-" + a.ID.String()
	for i := range a.Outcomes {
		a.Outcomes[i].AccountID = a.ID
		a.Outcomes[i].Status = domain.OutcomeActive
	}
	a.Conversions = nil
	a.Helpers, a.Grants = nil, nil
	// What an earlier version wrote never held format 4's additions.
	a = withoutFormat4Fields(a)
	if err := s.CreateAccount(ctx, nil, a); err != nil {
		t.Fatal(err)
	}
	doc := encode(t, a)
	jsonTallies := map[string]tallyCell{}
	for k, v := range a.StatTallies() {
		jsonTallies[k] = tallyCell{v.Count, v.Credits}
	}
	jt, err := json.Marshal(jsonTallies)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE accounts SET doc = ?, tallies = ? WHERE id = ?`, doc, string(jt), a.ID.String()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("earlier document read back differently: %s", domaintest.Difference(got, a))
	}
	listed, _, err := s.ListOutcomesByIssuer(ctx, a.Outcomes[1].IssuerID, storage.Page{Limit: 50})
	if err != nil || len(listed) != 1 || !reflect.DeepEqual(listed[0], a.Outcomes[1]) {
		t.Fatalf("issuer list from an earlier document: %v %+v", err, listed)
	}
	// Not cached: the save reads the document and JSON tallies it replaces.
	s.accounts.drop(a.ID)
	got.Name = "改名"
	got.Outcomes[0].Status = domain.OutcomeRevoked
	if err := s.UpdateAccount(ctx, nil, got); err != nil {
		t.Fatal(err)
	}
	var stored, storedTallies string
	if err := s.r.QueryRowContext(ctx, `SELECT doc, tallies FROM accounts WHERE id = ?`, a.ID.String()).Scan(&stored, &storedTallies); err != nil {
		t.Fatal(err)
	}
	if stored[0] != accountFormatBinary5 || storedTallies[0] != talliesFormatBinary1 {
		t.Fatalf("saved document starts with %#x and tallies with %#x, not the current formats", stored[0], storedTallies[0])
	}
	if sums, err := s.DistrictTallies(ctx); err != nil || !reflect.DeepEqual(sums, nonZero(got.StatTallies())) {
		t.Fatalf("district sums after replacing JSON tallies: %v\n got %v\nwant %v", err, sums, nonZero(got.StatTallies()))
	}
	s.accounts.drop(a.ID)
	again, err := s.GetAccount(ctx, a.ID)
	if err != nil || again.Name != "改名" || again.Version != got.Version {
		t.Fatalf("after the rewrite: %v %+v", err, again)
	}
}

func nonZero(t domain.StatTallies) domain.StatTallies {
	out := domain.StatTallies{}
	for k, v := range t {
		if v.Count != 0 || v.Credits != 0 {
			out[k] = v
		}
	}
	return out
}

func TestCompactNumbersRoundTripBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 2.5, 0.1, 1.0 / 3, 59.999, 100, 1e15, -1e15, 4503599627370.496,
		1 << 52, 1e300, -1e-300, math.SmallestNonzeroFloat64, math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	for i := 0; i < 5000; i++ {
		values = append(values, float64(rng.IntN(2_000_000)-1_000_000)/1000, rng.NormFloat64()*1e6, math.Float64frombits(rng.Uint64()))
	}
	for _, f := range values {
		w := docWriter{}
		w.num(f)
		r := docReader{s: string(w.b)}
		if got := r.num(); r.err != nil || len(r.s) != 0 || math.Float64bits(got) != math.Float64bits(f) {
			t.Fatalf("%v (%#x) came back as %v (%#x), err %v", f, math.Float64bits(f), got, math.Float64bits(got), r.err)
		}
		if f == 2.5 && len(w.b) != 2 {
			t.Errorf("2.5 took %d bytes", len(w.b))
		}
	}
}

func TestTalliesRoundTripAndRefuseDamage(t *testing.T) {
	tallies := domain.StatTallies{"": {Count: 1}, "accounts": {Count: 1}, "month:2018-12": {Count: 2, Credits: 4.5},
		"month:2019-01": {Count: -3, Credits: -0.1}, "month:2019": {Count: 1 << 40, Credits: 1e300}, "类别:社区": {Count: 7, Credits: 1.0 / 3},
		"issuer:01a2363d-a449-7996-be60-326f7a36f882": {Count: 4, Credits: 10.5}}
	raw := encodeTallies(tallies)
	got, err := decodeTallies(raw)
	if err != nil || !reflect.DeepEqual(got, tallies) {
		t.Fatalf("tallies came back as %v (%v), want %v", got, err, tallies)
	}
	if empty, err := decodeTallies(encodeTallies(domain.StatTallies{})); err != nil || len(empty) != 0 {
		t.Fatalf("empty tallies: %v %v", empty, err)
	}
	for n := 0; n < len(raw); n++ {
		if _, err := decodeTallies(raw[:n]); err == nil {
			t.Fatalf("tallies cut to %d of %d bytes decoded", n, len(raw))
		}
	}
	if _, err := decodeTallies(raw + "x"); err == nil {
		t.Fatal("trailing bytes were ignored")
	}
	for i := 1; i < len(raw); i++ {
		b := []byte(raw)
		b[i] ^= 0xff
		_, _ = decodeTallies(string(b))
	}
	// A typical learner's tallies (ten outcomes from three issuers, as the
	// bench seeds them) take under half their JSON.
	js := `{"accounts":{"n":1},"active:2023-02":{"n":1},"born:1940":{"n":1},"category:certificate":{"n":1,"c":3},"category:community":{"n":3,"c":9.5},"category:online":{"n":1,"c":1},"category:senior":{"n":3,"c":8},"category:vocational":{"n":2,"c":5.5},"issuer:01a2363d-a449-7996-be60-326f7a36f882":{"n":4,"c":10.5},"issuer:01a2363d-a44a-772f-aea1-d7c28230f732":{"n":3,"c":8.5},"issuer:01a2363d-a44b-7215-8894-68909683137e":{"n":3,"c":8},"month:2017-03":{"n":1,"c":2},"month:2018-04":{"n":1,"c":3},"month:2018-11":{"n":1,"c":2},"month:2018-12":{"n":1,"c":2},"month:2019-06":{"n":1,"c":4},"month:2020-09":{"n":1,"c":4},"month:2020-10":{"n":1,"c":3.5},"month:2021-04":{"n":1,"c":2},"month:2022-04":{"n":1,"c":3.5},"month:2023-02":{"n":1,"c":1},"outcomes":{"n":10,"c":27}}`
	typical, err := decodeTallies(js)
	if err != nil {
		t.Fatal(err)
	}
	bin := encodeTallies(typical)
	if again, err := decodeTallies(bin); err != nil || !reflect.DeepEqual(again, typical) {
		t.Fatalf("typical tallies came back as %v (%v)", again, err)
	}
	if 2*len(bin) > len(js) {
		t.Errorf("binary tallies %d bytes, JSON %d", len(bin), len(js))
	}
	t.Logf("typical tallies: %d bytes binary, %d JSON", len(bin), len(js))
}

// BenchmarkAccountDocument: encoding and decoding a learner's account in
// each binary format (go test -bench AccountDocument ./storage/sqlite);
// "evaluated/" is the same account with a conversion applied for by a real
// evaluation, whose steps' facts format 5 keeps.
func BenchmarkAccountDocument(b *testing.B) {
	benchmarkAccountDocument(b, "", learnerAccount(b))
	benchmarkAccountDocument(b, "evaluated/", evaluatedLearnerAccount(b))
}

// evaluatedLearnerAccount is learnerAccount with a pending conversion of a
// rule of three items (one a group) over its outcomes, as Apply records it.
func evaluatedLearnerAccount(t testing.TB) *domain.Account {
	t.Helper()
	a := learnerAccount(t)
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	rule := domain.Rule{ID: domain.NewID(), Code: "R-EVAL", Version: 1, Status: domain.RulePublished, Name: "社区教育成果认定",
		InstitutionID: domain.NewID(), Purpose: domain.PurposeCredit, Target: domain.RuleTarget{CourseCode: "GE-1", Credits: 4},
		Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{
			{Match: &domain.Match{Category: domain.CategoryCommunity, MinScore: 60}},
			{Match: &domain.Match{Category: domain.CategoryVocational, MinHours: 8}},
			{Group: &domain.Group{Op: domain.OpNOf, N: 1, Items: []domain.Item{
				{Match: &domain.Match{Category: domain.CategorySenior}},
				{Match: &domain.Match{Category: domain.CategoryCertificate}},
			}}},
		}},
		MinTotalCredits: 6, Award: domain.Award{Mode: domain.AwardSum, Ratio: 0.5},
		Caps:     []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 10}},
		Approval: domain.ApprovalManual, EffectiveFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), CreatedAt: at}
	c, err := a.Apply(rule, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Evaluation.Trace) < 5 || c.Evaluation.Trace[0].Facts() == nil {
		t.Fatalf("the conversion's trace: %+v", c.Evaluation.Trace)
	}
	return a
}

func benchmarkAccountDocument(b *testing.B, prefix string, a *domain.Account) {
	for _, format := range []byte{accountFormatBinary1, accountFormatBinary2, accountFormatBinary3, accountFormatBinary4, accountFormatBinary5} {
		raw := string(encodeAccountAs(a, 1, format))
		b.Run(fmt.Sprintf("%sencode/%#x", prefix, format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				encodeAccountAs(a, 1, format)
			}
			b.ReportMetric(float64(len(raw)), "bytes")
		})
		b.Run(fmt.Sprintf("%sdecode/%#x", prefix, format), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeAccount(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// withoutFormat4Fields is a as formats 1 to 3 can hold it.
func withoutFormat4Fields(a *domain.Account) *domain.Account {
	out := a.Clone()
	for i := range out.Outcomes {
		out.Outcomes[i].UnitCode = ""
	}
	for i := range out.Conversions {
		c := &out.Conversions[i]
		c.NoticeEndsAt, c.Objections, c.Appeal = nil, nil, nil
	}
	return out
}

// withoutFormat5Fields is a as formats 1 to 4 can hold it: its
// conversions' steps and shortfalls without their data.
func withoutFormat5Fields(a *domain.Account) *domain.Account {
	out := a.Clone()
	for i := range out.Conversions {
		e := &out.Conversions[i].Evaluation
		for j, s := range e.Trace {
			e.Trace[j] = domain.NewTraceStep(s.Code, s.Message, nil)
		}
		if e.Shortfall != nil {
			sf := domain.NewShortfall(e.Shortfall.Credits, e.Shortfall.Message, nil)
			e.Shortfall = &sf
		}
	}
	return out
}
