package dump

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// Options adjust Import.
type Options struct {
	// Force loads into a store that already holds records. A record whose
	// ID (or unique key) already exists still stops the import at its line.
	Force bool
}

// ErrNotEmpty refuses an import that would mix two banks' records.
var ErrNotEmpty = fmt.Errorf("%w: store is not empty", domain.ErrConflict)

// LineError names the line of the file that could not be imported.
type LineError struct {
	Line int
	Kind string // record kind, when the line was readable enough to tell
	Err  error
}

func (e *LineError) Error() string {
	if e.Kind != "" {
		return fmt.Sprintf("import: line %d (%s): %v", e.Line, e.Kind, e.Err)
	}
	return fmt.Sprintf("import: line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// maxLine bounds one line: an account document with a lifetime of outcomes
// is large, but a line beyond this is a corrupt or hostile file.
const maxLine = 64 << 20

// Import loads a file written by Export into s, keeping every version so
// that compare-and-swap continues where the source store stopped. It refuses
// a store that already holds records unless opt.Force, checks the format
// line, the order of kinds, each account's ledger chain and the audit chain,
// and stops at the first bad line with its number (*LineError). Records
// before that line stay imported: re-run into a fresh store after fixing.
func Import(ctx context.Context, s Store, r io.Reader, opt Options) (Counts, error) {
	var counts Counts
	if !opt.Force {
		if what, err := nonEmpty(ctx, s); err != nil {
			return counts, fmt.Errorf("import: %w", err)
		} else if what != "" {
			return counts, fmt.Errorf("import: %w (it has %s); import into a new database, or force it", ErrNotEmpty, what)
		}
	}

	im := &importer{s: s}
	br := bufio.NewReaderSize(r, 1<<16)
	for line := 1; ; line++ {
		raw, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return counts, &LineError{Line: line, Err: err}
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		kind, err := im.load(ctx, raw)
		if err != nil {
			return counts, &LineError{Line: line, Kind: kind, Err: err}
		}
		counts.add(kind)
		if err := ctx.Err(); err != nil {
			return counts, err
		}
	}
	if !im.sawFormat {
		return counts, errors.New("import: empty file: not a creditbank export")
	}
	return counts, nil
}

// readLine returns the next line without its newline, io.EOF after the last.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(buf) > 0:
			return buf, nil
		case err != nil:
			return nil, err
		}
		return buf[:len(buf)-1], nil
	}
}

// nonEmpty names the first kind of record s already holds, or "".
func nonEmpty(ctx context.Context, s Store) (string, error) {
	one := storage.Page{Limit: 1}
	n, err := s.CountAccounts(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return fmt.Sprintf("%d accounts", n), nil
	}
	checks := []struct {
		what string
		has  func() (bool, error)
	}{
		{"institutions", func() (bool, error) { l, _, err := s.ListInstitutions(ctx, one); return len(l) > 0, err }},
		{"users", func() (bool, error) { l, _, err := s.ListUsers(ctx, one); return len(l) > 0, err }},
		{"API clients", func() (bool, error) { l, _, err := s.ListClients(ctx, one); return len(l) > 0, err }},
		{"rules", func() (bool, error) { l, _, err := s.ListRules(ctx, storage.RuleFilter{}, one); return len(l) > 0, err }},
		{"courses", func() (bool, error) {
			l, _, err := s.ListCourses(ctx, domain.CourseQuery{}, one)
			return len(l) > 0, err
		}},
		{"signing keys", func() (bool, error) { l, err := s.ListSigningKeys(ctx); return len(l) > 0, err }},
		{"audit entries", func() (bool, error) { return found(s.LastAudit(ctx)) }},
		{"a credit policy", func() (bool, error) { return found(s.GetCreditPolicy(ctx)) }},
		{"a framework", func() (bool, error) { return found(s.GetFramework(ctx)) }},
		{"units", func() (bool, error) { l, _, err := s.ListUnits(ctx, domain.UnitQuery{}, one); return len(l) > 0, err }},
	}
	for _, c := range checks {
		has, err := c.has()
		if err != nil {
			return "", err
		}
		if has {
			return c.what, nil
		}
	}
	return "", nil
}

func found[T any](_ T, err error) (bool, error) {
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

type importer struct {
	s         Store
	sawFormat bool
	lastRank  int
	audit     domain.AuditChainVerifier
}

// load imports one line and returns its kind.
func (im *importer) load(ctx context.Context, raw []byte) (string, error) {
	var env struct {
		Kind string          `json:"kind"`
		Doc  json.RawMessage `json:"doc"`
	}
	if err := strictJSON(raw, &env); err != nil {
		return "", fmt.Errorf("not a JSON record line: %w", err)
	}
	rank, known := kindOrder[env.Kind]
	switch {
	case !known:
		return "", fmt.Errorf("unknown record kind %q", env.Kind)
	case !im.sawFormat && env.Kind != KindFormat:
		return env.Kind, errors.New(`the first line must be the "format" line of a creditbank export`)
	case im.sawFormat && env.Kind == KindFormat:
		return env.Kind, errors.New("a second format line (two files concatenated?)")
	case rank < im.lastRank:
		return env.Kind, errors.New("out of order: export order is " +
			"creditPolicy, framework, signingKey, institution, user, client, rule, unit, course, account, audit")
	case len(env.Doc) == 0 || string(env.Doc) == "null":
		return env.Kind, errors.New(`missing "doc"`)
	}
	im.lastRank = rank
	err := im.store(ctx, env.Kind, env.Doc)
	return env.Kind, err
}

func (im *importer) store(ctx context.Context, kind string, doc json.RawMessage) error {
	s := im.s
	switch kind {
	case KindFormat:
		var f FormatDoc
		if err := strictJSON(doc, &f); err != nil {
			return err
		}
		if f.Name != FormatName || f.Version != FormatVersion {
			return fmt.Errorf("unsupported format %q version %d (this program reads %q version %d)", f.Name, f.Version, FormatName, FormatVersion)
		}
		im.sawFormat = true
		return nil
	case KindCreditPolicy:
		return decodeAnd(doc, record.CreditPolicyDoc.ToDomain, func(p *domain.CreditPolicy) error {
			return restorePolicy(ctx, s, p)
		})
	case KindSigningKey:
		return decodeAnd(doc, record.SigningKeyDoc.ToDomain, func(k *storage.SigningKey) error {
			return s.SaveSigningKey(ctx, k)
		})
	case KindInstitution:
		return decodeAnd(doc, record.InstitutionDoc.ToDomain, func(i *domain.Institution) error {
			return s.CreateInstitution(ctx, nil, i)
		})
	case KindUser:
		return decodeAnd(doc, record.UserDoc.ToDomain, func(u *domain.User) error {
			return s.CreateUser(ctx, nil, u)
		})
	case KindClient:
		return decodeAnd(doc, record.APIClientDoc.ToDomain, func(c *domain.APIClient) error {
			return s.CreateClient(ctx, c)
		})
	case KindRule:
		return decodeAnd(doc, record.RuleDoc.ToDomain, func(r *domain.Rule) error {
			return s.CreateRule(ctx, nil, r)
		})
	case KindCourse:
		return decodeAnd(doc, record.CourseDoc.ToDomain, func(c *domain.Course) error {
			return s.CreateCourse(ctx, nil, c)
		})
	case KindFramework:
		return decodeAnd(doc, record.FrameworkDoc.ToDomain, func(f *domain.Framework) error {
			return restoreFramework(ctx, s, f)
		})
	case KindUnit:
		return decodeAnd(doc, record.UnitDoc.ToDomain, func(u *domain.Unit) error {
			return s.CreateUnit(ctx, nil, u)
		})
	case KindAccount:
		return decodeAnd(doc, record.AccountDoc.ToDomain, func(a *domain.Account) error {
			// A broken chain means the file was edited; importing it would
			// make every later transcript of this learner unverifiable.
			if err := a.VerifyLedger(); err != nil {
				return fmt.Errorf("account %s: %w", a.ID, err)
			}
			return s.CreateAccount(ctx, nil, a)
		})
	case KindAudit:
		return decodeAnd(doc, record.AuditDoc.ToDomain, func(e *domain.AuditEntry) error {
			if err := im.audit.Next(*e); err != nil {
				return err
			}
			return s.AppendAudit(ctx, e)
		})
	case KindStatusIndex:
		return decodeAnd(doc, record.StatusIndexDoc.ToDomain, func(x *domain.StatusIndex) error {
			got, err := s.AssignStatusIndex(ctx, x.OutcomeID, x.List, x.Index)
			if err == nil && got != *x {
				return fmt.Errorf("outcome %s holds two status list positions", x.OutcomeID)
			}
			return err
		})
	case KindVerificationCode:
		return decodeAnd(doc, record.VerificationCodeDoc.ToDomain, func(v *domain.VerificationCode) error {
			return s.SaveVerificationCode(ctx, v)
		})
	}
	return fmt.Errorf("unknown record kind %q", kind)
}

// decodeAnd decodes a record document strictly, converts it to the domain
// and hands it to save.
func decodeAnd[D, T any](raw json.RawMessage, conv func(D) (*T, error), save func(*T) error) error {
	var d D
	if err := strictJSON(raw, &d); err != nil {
		return err
	}
	v, err := conv(d)
	if err != nil {
		return err
	}
	return save(v)
}

// strictJSON rejects unknown fields and trailing data: a field this program
// does not know would otherwise be dropped silently.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// restorePolicy saves the policy and then re-saves it until the stored
// version equals the exported one. The port's SaveCreditPolicy is
// compare-and-swap starting from version 1, with no way to set a version;
// policy edits are rare admin actions, so the replay is short.
func restorePolicy(ctx context.Context, s Store, p *domain.CreditPolicy) error {
	want := p.Version
	cur := &domain.CreditPolicy{HoursPerCredit: p.HoursPerCredit}
	if existing, err := s.GetCreditPolicy(ctx); err == nil {
		cur.Version = existing.Version // forced import: overwrite the existing one
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if want > 10000 {
		return fmt.Errorf("credit policy version %d is implausible", want)
	}
	for first := true; first || cur.Version < want; first = false {
		before := cur.Version
		if err := s.SaveCreditPolicy(ctx, cur); err != nil {
			return err
		}
		if cur.Version <= before {
			return errors.New("store did not advance the credit policy version")
		}
	}
	return nil
}
