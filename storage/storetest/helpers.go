package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// claimedAccount is a registered learner who can be named as a helper.
func claimedAccount(t *testing.T, s storage.Store) *domain.Account {
	t.Helper()
	a := NewAccount(now())
	a.PasswordHash = "hash"
	return createAccount(t, s, a)
}

func helperTests() []contractTest {
	return []contractTest{
		{"HelpedByFollowsHelperGrants", func(t *testing.T, s storage.Store) {
			helper, other := claimedAccount(t, s), claimedAccount(t, s)
			var helped []uuid.UUID
			for i := 0; i < 3; i++ {
				a := createAccount(t, s, NewAccount(now()))
				noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
					_, err := a.NameHelper(helper, 30, now())
					return err
				}), "name helper")
				helped = append(helped, a.ID)
			}
			elsewhere := createAccount(t, s, NewAccount(now()))
			noErr(t, updateWithRetry(s, t, elsewhere.ID, func(a *domain.Account) error {
				_, err := a.NameHelper(other, 30, now())
				return err
			}), "name another helper")

			var got []uuid.UUID
			cursor := ""
			for page := 0; page < 5; page++ {
				items, next, err := s.ListAccountsHelpedBy(t.Context(), helper.ID, storage.Page{Limit: 2, Cursor: cursor})
				noErr(t, err, "list helped")
				for _, a := range items {
					got = append(got, a.ID)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if !slices.Equal(got, helped) {
				t.Fatalf("helped by helper = %v, want %v in ID order", got, helped)
			}
			noErr(t, updateWithRetry(s, t, helped[1], func(a *domain.Account) error {
				_, err := a.WithdrawHelper(a.Helpers[0].ID, now())
				return err
			}), "withdraw")
			items, _, err := s.ListAccountsHelpedBy(t.Context(), helper.ID, storage.Page{Limit: 10})
			noErr(t, err, "list after withdraw")
			if len(items) != 2 || items[0].ID != helped[0] || items[1].ID != helped[2] {
				t.Fatalf("after withdrawal: %d accounts", len(items))
			}
			if _, _, err := s.ListAccountsHelpedBy(t.Context(), helper.ID, storage.Page{Cursor: "not-a-cursor"}); err == nil {
				t.Fatal("a malformed cursor was accepted")
			}
		}},
	}
}

// addAssistance gives a rich account a live and a withdrawn helper grant and
// access-log entries of every kind, so round trips cover them.
func addAssistance(a *domain.Account, now time.Time) {
	for i := 0; i < 2; i++ {
		helper := NewAccount(now)
		helper.PasswordHash = "hash"
		h, err := a.NameHelper(helper, 14, now)
		if err != nil {
			panic(err)
		}
		if i == 1 {
			if _, err := a.WithdrawHelper(h.ID, now); err != nil {
				panic(err)
			}
		}
	}
	for _, e := range []domain.AccessEntry{
		{Kind: domain.AccessorInstitution, ActorID: domain.NewID(), InstitutionID: domain.NewID(), Name: "社区教育学院", Action: domain.AccessReadRecord},
		{Kind: domain.AccessorCentre, ActorID: domain.NewID(), Name: "admin", Action: domain.AccessLookup},
		{Kind: domain.AccessorHelper, ActorID: a.Helpers[0].HelperID, Name: "李四", Action: domain.AccessApplyConversion, Detail: "OU-CREDIT"},
	} {
		a.RecordAccess(e, now)
	}
}
