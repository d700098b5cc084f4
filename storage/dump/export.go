package dump

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// Export writes every record of s to w as JSON lines (see the package
// documentation for the format). Accounts and audit entries are streamed, so
// memory does not grow with the store.
func Export(ctx context.Context, s Store, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &exporter{enc: json.NewEncoder(bw)}
	// HTML escaping would turn "<" in a title into \u003c: harmless but
	// needlessly unreadable for people inspecting a dump.
	e.enc.SetEscapeHTML(false)

	steps := []func(context.Context, Store) error{
		e.format, e.policy, e.framework, e.signingKeys, e.institutions, e.users, e.clients, e.rules, e.units, e.courses, e.accounts, e.audit,
		e.statusIndexes, e.verificationCodes,
	}
	for _, step := range steps {
		if err := step(ctx, s); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

type exporter struct {
	enc *json.Encoder
}

func (e *exporter) line(kind string, doc any) error {
	if err := e.enc.Encode(envelope{Kind: kind, Doc: doc}); err != nil {
		return fmt.Errorf("export: write %s: %w", kind, err)
	}
	return nil
}

func (e *exporter) format(context.Context, Store) error {
	return e.line(KindFormat, FormatDoc{Name: FormatName, Version: FormatVersion})
}

func (e *exporter) policy(ctx context.Context, s Store) error {
	p, err := s.GetCreditPolicy(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // never edited: the default applies and needs no record
	}
	if err != nil {
		return fmt.Errorf("export: credit policy: %w", err)
	}
	return e.line(KindCreditPolicy, record.FromCreditPolicy(p))
}

func (e *exporter) signingKeys(ctx context.Context, s Store) error {
	keys, err := s.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("export: signing keys: %w", err)
	}
	// Stores list keys in their own order; the file must not depend on it.
	sort.Slice(keys, func(i, j int) bool { return keys[i].KID < keys[j].KID })
	for i := range keys {
		if err := e.line(KindSigningKey, record.FromSigningKey(&keys[i])); err != nil {
			return err
		}
	}
	return nil
}

func (e *exporter) institutions(ctx context.Context, s Store) error {
	return eachPage(ctx, "institutions", s.ListInstitutions, func(i domain.Institution) error {
		return e.line(KindInstitution, record.FromInstitution(&i))
	})
}

func (e *exporter) users(ctx context.Context, s Store) error {
	return eachPage(ctx, "users", s.ListUsers, func(u domain.User) error {
		return e.line(KindUser, record.FromUser(&u))
	})
}

func (e *exporter) clients(ctx context.Context, s Store) error {
	return eachPage(ctx, "clients", s.ListClients, func(c domain.APIClient) error {
		return e.line(KindClient, record.FromAPIClient(&c))
	})
}

func (e *exporter) rules(ctx context.Context, s Store) error {
	list := func(ctx context.Context, p storage.Page) ([]domain.Rule, string, error) {
		return s.ListRules(ctx, storage.RuleFilter{}, p)
	}
	return eachPage(ctx, "rules", list, func(r domain.Rule) error {
		return e.line(KindRule, record.FromRule(&r))
	})
}

func (e *exporter) courses(ctx context.Context, s Store) error {
	err := s.ScanCourses(ctx, func(c domain.Course) error {
		return e.line(KindCourse, record.FromCourse(&c))
	})
	if err != nil {
		return fmt.Errorf("export: courses: %w", err)
	}
	return nil
}

func (e *exporter) accounts(ctx context.Context, s Store) error {
	err := s.ScanAccounts(ctx, func(a *domain.Account) error {
		return e.line(KindAccount, record.FromAccount(a))
	})
	if err != nil {
		return fmt.Errorf("export: accounts: %w", err)
	}
	return nil
}

func (e *exporter) audit(ctx context.Context, s Store) error {
	err := s.ScanAudit(ctx, func(a domain.AuditEntry) error {
		return e.line(KindAudit, record.FromAudit(&a))
	})
	if err != nil {
		return fmt.Errorf("export: audit: %w", err)
	}
	return nil
}

// statusIndexes writes the status list positions, list by list: lists
// are filled in order ("1", "2", …), so the first empty one ends them.
func (e *exporter) statusIndexes(ctx context.Context, s Store) error {
	for n := 1; ; n++ {
		list, err := s.ListStatusIndexes(ctx, strconv.Itoa(n))
		if err != nil {
			return fmt.Errorf("export: status list positions: %w", err)
		}
		if len(list) == 0 {
			return nil
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Index < list[j].Index })
		for _, x := range list {
			if err := e.line(KindStatusIndex, record.FromStatusIndex(x)); err != nil {
				return err
			}
		}
	}
}

func (e *exporter) verificationCodes(ctx context.Context, s Store) error {
	err := s.ScanVerificationCodes(ctx, func(v domain.VerificationCode) error {
		return e.line(KindVerificationCode, record.FromVerificationCode(&v))
	})
	if err != nil {
		return fmt.Errorf("export: verification codes: %w", err)
	}
	return nil
}

// eachPage walks a paged list from the start (ascending ID) to the end.
func eachPage[T any](ctx context.Context, what string, list func(context.Context, storage.Page) ([]T, string, error), fn func(T) error) error {
	cursor := ""
	for {
		items, next, err := list(ctx, storage.Page{Limit: storage.MaxPageSize, Cursor: cursor})
		if err != nil {
			return fmt.Errorf("export: %s: %w", what, err)
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if next == "" || len(items) == 0 {
			return nil
		}
		cursor = next
	}
}
